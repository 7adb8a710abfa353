import Commands
import Foundation
import TestSupport
import Testing

/// Seed 004 (`seeds/004…`, Express + row locks) replayed against the real executable: its README's own
/// requests, verbatim, answered in its words; its error statuses; its concurrency script.
@Suite("Seed 004 conformance (end to end)", .serialized)
struct Seed004ConformanceTests {
    private func server(holdTTL: String? = nil) async throws -> ServerProcess {
        try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: holdTTL.map { ["HOLD_TTL": $0] } ?? [:],
            databaseURL: try await TestDatabase.freshDatabase())
    }

    /// The new show's id and the position of its creation.
    private func createShow(_ server: ServerProcess, seats: Int = 40) async throws -> (id: String, position: Int) {
        // The README's body, byte for byte (its start time has no `T` and no zone).
        let reply = try await HTTP.send(
            .POST, "\(server.baseURL)/admin/shows", token: server.adminToken,
            raw: Data(#"{ "name": "Avengers Movie", "start_time": "2025-12-11 19:00", "total_seats": \#(seats) }"#.utf8))
        #expect(reply.status == 201 && reply.json["message"] as? String == "Show created", "\(reply.text)")
        return (try #require(reply.json["showId"] as? String), reply.json["position"] as? Int ?? 0)
    }

    @Test func theReadmesWalkThroughAnswersInItsWords() async throws {
        let server = try await server()
        let base = server.baseURL
        let (show, created) = try await createShow(server)

        let shows = try await HTTP.reflecting("\(base)/shows?minPosition=\(created)", position: created)
        #expect((shows.json["items"] as? [[String: Any]])?.contains { $0["id"] as? String == show } == true)
        let seats = try await HTTP.send(.GET, "\(base)/shows/\(show)/seats")
        #expect(seats.status == 200 && seats.array.count == 40)
        #expect(seats.array.first?["seat_number"] as? Int == 1 && seats.array.first?["status"] as? String == "AVAILABLE")
        #expect(seats.array.allSatisfy { $0["id"] is String && $0["booking_id"] is NSNull })

        // A guest books: no token, a name.
        let booked = try await HTTP.send(
            .POST, "\(base)/book", raw: Data(#"{ "showId": "\#(show)", "seats": [1, 2], "userName": "Alice" }"#.utf8))
        #expect(booked.status == 201, "\(booked.text)")
        #expect(booked.json["message"] as? String == "Booking created" && booked.json["status"] as? String == "PENDING")
        #expect(booked.json["sessionId"] == nil && booked.json["id"] == nil, "004's words only")
        let bookingId = try #require(booked.json["bookingId"] as? String)

        let held = try await HTTP.send(.GET, "\(base)/shows/\(show)/seats")
        #expect(held.array.prefix(2).allSatisfy { $0["status"] as? String == "PENDING" && $0["booking_id"] is NSNull })
        let asAdmin = try await HTTP.send(.GET, "\(base)/shows/\(show)/seats", token: server.adminToken)
        #expect(asAdmin.array.prefix(2).allSatisfy { $0["booking_id"] as? String == bookingId })
        #expect(asAdmin.array.dropFirst(2).allSatisfy { $0["status"] as? String == "AVAILABLE" && $0["booking_id"] is NSNull })

        let confirm = Data(#"{ "bookingId": "\#(bookingId)" }"#.utf8)
        let confirmed = try await HTTP.send(.POST, "\(base)/book/confirm", raw: confirm)
        #expect(confirmed.status == 200 && confirmed.json["message"] as? String == "Booking confirmed")
        #expect(confirmed.json["bookingId"] as? String == bookingId)
        let again = try await HTTP.send(.POST, "\(base)/book/confirm", raw: confirm)
        #expect(again.status == 200 && again.json["bookingId"] as? String == bookingId, "confirming twice is idempotent")

        let lookup = try await HTTP.send(.GET, "\(base)/book/\(bookingId)")
        #expect(lookup.status == 200)
        let header = try #require(lookup.json["booking"] as? [String: Any])
        #expect(header["id"] as? String == bookingId && header["show_id"] as? String == show)
        #expect(header["user_name"] as? String == "Alice" && header["status"] as? String == "CONFIRMED")
        let bookedSeats = try #require(lookup.json["seats"] as? [[String: Any]])
        #expect(bookedSeats.map { $0["seat_number"] as? Int } == [1, 2])
        #expect(bookedSeats.allSatisfy { $0["status"] as? String == "CONFIRMED" })

        let position = Int(confirmed.json["position"] as? Int ?? 0)
        let all = try await HTTP.reflecting("\(base)/admin/bookings?minPosition=\(position)", position: position, token: server.adminToken)
        #expect(all.status == 200)
        let listed = try #require(all.array.first { $0["id"] as? String == bookingId })
        #expect(listed["status"] as? String == "CONFIRMED" && listed["user_name"] as? String == "Alice")
        #expect(listed["seats"] as? [Int] == [1, 2] && listed["show_id"] as? String == show)
        let pending = try await HTTP.send(.GET, "\(base)/admin/bookings?status=PENDING", token: server.adminToken)
        #expect(pending.status == 200 && pending.array.isEmpty)
        let confirmedOnly = try await HTTP.send(.GET, "\(base)/admin/bookings?status=CONFIRMED", token: server.adminToken)
        #expect(confirmedOnly.array.map { $0["id"] as? String } == [bookingId])
    }

    @Test func badRequestsAreRefusedWithTheDocumentedStatuses() async throws {
        let server = try await server()
        let base = server.baseURL
        let show = try await createShow(server, seats: 20_000).id
        let admin = server.adminToken
        func book(_ body: [String: Any], token: String? = nil) async throws -> Reply {
            try await HTTP.send(.POST, "\(base)/book", token: token, json: body)
        }
        // 400
        for startTime in ["tomorrow", "2025-12-11", "2025-13-11 19:00"] {
            let reply = try await HTTP.send(
                .POST, "\(base)/admin/shows", token: admin, json: ["name": "X", "start_time": startTime, "total_seats": 5])
            #expect(reply.status == 400 && reply.errorCode == "invalid_request", "start_time \(startTime)")
        }
        for seats in [0, 20_001] {
            let reply = try await HTTP.send(
                .POST, "\(base)/admin/shows", token: admin, json: ["name": "X", "start_time": "2025-12-11 19:00", "total_seats": seats])
            #expect(reply.status == 400, "total_seats \(seats)")
        }
        #expect(try await book(["showId": show, "seats": [Int](), "userName": "Al"]).status == 400)
        #expect(try await book(["showId": show, "seats": [20_001], "userName": "Al"]).status == 400)
        #expect(try await book(["showId": show, "seats": [1, 1], "userName": "Al"]).status == 400)
        #expect(try await book(["showId": show, "seats": [1], "userName": ""]).status == 400)
        #expect(try await HTTP.send(.GET, "\(base)/admin/bookings?status=DONE", token: admin).status == 400)
        // 401: no token and no name, or the admin's list without the admin token.
        #expect(try await book(["showId": show, "seats": [1]]).status == 401)
        #expect(try await HTTP.send(.GET, "\(base)/admin/bookings").status == 401)
        // 404
        #expect(try await book(["showId": "shw_nosuchshow", "seats": [1], "userName": "Al"]).status == 404)
        #expect(try await HTTP.send(.GET, "\(base)/shows/shw_nosuchshow/seats").status == 404)
        #expect(try await HTTP.send(.GET, "\(base)/book/bk_nosuchbooking").status == 404)
        #expect(try await HTTP.send(.POST, "\(base)/book/confirm", json: ["bookingId": "bk_nosuchbooking"]).status == 404)
        // 409: the seat is taken; the last of 20,000 is a seat like any other.
        #expect(try await book(["showId": show, "seats": [20_000], "userName": "Al"]).status == 201)
        let taken = try await book(["showId": show, "seats": [19_999, 20_000], "userName": "Bo"])
        #expect(taken.status == 409 && taken.errorCode == "seat_unavailable")
        #expect((taken.json["error"] as? [String: Any])?["seats"] as? [String] == ["20000"])
    }

    @Test func aGuestsBookingIdIsItsOnlyCredentialAndNeverOpensAnAccountsBooking() async throws {
        let server = try await server()
        let base = server.baseURL
        let show = try await createShow(server).id
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let (_, token) = try await scenario.user("Registered")
        let (_, other) = try await scenario.user("Other")

        let mine = try await HTTP.send(.POST, "\(base)/book", token: token, json: ["showId": show, "seats": [5]])
        #expect(mine.status == 201 && mine.json["status"] as? String == "PENDING")
        let mineId = try #require(mine.json["bookingId"] as? String)
        let lookup = try await HTTP.send(.GET, "\(base)/book/\(mineId)", token: token)
        #expect((lookup.json["booking"] as? [String: Any])?["user_name"] as? String == "Registered")
        // Without the owner's token an account's booking is 401; with another user's, 403.
        #expect(try await HTTP.send(.GET, "\(base)/book/\(mineId)").status == 401)
        #expect(try await HTTP.send(.GET, "\(base)/bookings/\(mineId)").status == 401)
        #expect(try await HTTP.send(.POST, "\(base)/book/confirm", json: ["bookingId": mineId]).status == 401)
        #expect(try await HTTP.send(.POST, "\(base)/bookings/\(mineId)/cancel").status == 401)
        #expect(try await HTTP.send(.GET, "\(base)/book/\(mineId)", token: other).status == 403)
        // A token that is present must be valid: a bad one is never treated as a guest.
        let badToken = try await HTTP.send(.POST, "\(base)/book", token: "bo_not-a-token", json: ["showId": show, "seats": [6], "userName": "Al"])
        #expect(badToken.status == 401)

        // A guest's booking: its id confirms, cancels and reads it, on 004's routes and Boxoffice's.
        let guest = try await HTTP.send(.POST, "\(base)/book", json: ["showId": show, "seats": [7], "userName": "Guest"])
        let guestId = try #require(guest.json["bookingId"] as? String)
        #expect(try await HTTP.send(.GET, "\(base)/book/\(guestId)").status == 200)
        let cancelled = try await HTTP.send(.POST, "\(base)/bookings/\(guestId)/cancel")
        #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "CANCELLED")
        let after = try await HTTP.send(.GET, "\(base)/book/\(guestId)")
        #expect((after.json["booking"] as? [String: Any])?["status"] as? String == "CANCELLED")
        #expect(try await HTTP.send(.GET, "\(base)/shows/\(show)/seats").array[6]["status"] as? String == "AVAILABLE")
    }

    @Test func aPendingBookingFailsWhenItsHoldRunsOut() async throws {
        // 004 fails PENDING bookings after two minutes; its route holds for two minutes at most.
        let twoMinutes = try await server()
        let show = try await createShow(twoMinutes).id
        let held = try await HTTP.send(.POST, "\(twoMinutes.baseURL)/book", json: ["showId": show, "seats": [1], "userName": "Al"])
        let heldId = try #require(held.json["bookingId"] as? String)
        let booking = try await HTTP.send(.GET, "\(twoMinutes.baseURL)/bookings/\(heldId)?minPosition=\(held.json["position"] as? Int ?? 0)")
        let created = try #require((booking.json["createdAt"] as? String).flatMap(ISO8601.date(from:)))
        let deadline = try #require((booking.json["holdExpiresAt"] as? String).flatMap(ISO8601.date(from:)))
        #expect(abs(deadline.timeIntervalSince(created) - 120) < 0.01, "\(booking.text)")

        // A shorter configured hold (test mode) wins; the expiry worker then fails the booking.
        let server = try await server(holdTTL: "1")
        let base = server.baseURL
        let short = try await createShow(server).id
        let reply = try await HTTP.send(.POST, "\(base)/book", json: ["showId": short, "seats": [3], "userName": "Al"])
        let id = try #require(reply.json["bookingId"] as? String)
        var status: String?
        let until = ContinuousClock.now + .seconds(60)
        while status != "FAILED", ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(200))
            status = (try await HTTP.send(.GET, "\(base)/book/\(id)").json["booking"] as? [String: Any])?["status"] as? String
        }
        #expect(status == "FAILED")
        let history = try await Scenario(baseURL: base, adminToken: server.adminToken).history(short)
        #expect(history.contains { $0["type"] as? String == "HoldExpired" }, "the log records the expiry")
        let position = history.compactMap { $0["position"] as? Int }.max() ?? 0
        let failed = try await HTTP.reflecting(
            "\(base)/admin/bookings?status=FAILED&minPosition=\(position)", position: position, token: server.adminToken)
        #expect(failed.array.map { $0["id"] as? String } == [id])
        #expect(try await HTTP.send(.POST, "\(base)/book/confirm", json: ["bookingId": id]).errorCode == "hold_expired")
    }

    /// 004's `test/concurrency.js`: many buyers, one seat, only one succeeds.
    @Test func manyGuestsOneSeatExactlyOneWins() async throws {
        let server = try await server()
        let show = try await createShow(server).id
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for buyer in 0..<50 {
                group.addTask {
                    try await HTTP.send(.POST, "\(server.baseURL)/book", json: ["showId": show, "seats": [1], "userName": "Buyer \(buyer)"])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 1)
        #expect(replies.filter { $0.status == 409 && $0.errorCode == "seat_unavailable" }.count == 49)
        let fold = HistoryFold(try await Scenario(baseURL: server.baseURL, adminToken: server.adminToken).history(show))
        #expect(fold.placed == 1 && fold.doubleBooked.isEmpty && fold.versionsContiguous)
    }

    /// The same script as a tool anyone can run against a server: `boxoffice load race --seated`.
    @Test func theSeatedRaceToolReportsExactlyOneWinner() async throws {
        let server = try await server()
        let run = try await CommandRun.boxoffice(
            ["load", "race", "--seated", "--clients", "40", "--capacity", "10", "--url", server.baseURL],
            environment: ["ADMIN_TOKEN": server.adminToken])
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        #expect(run.output.contains("succeeded (201):                      1"), "\(run.output)")
        #expect(run.output.contains("rejected (409 seat_unavailable):      39"), "\(run.output)")
    }
}
