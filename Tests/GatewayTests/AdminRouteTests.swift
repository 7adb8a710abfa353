import Commands
import Foundation
import TestSupport
import Testing

@Suite("Admin command routes")
struct AdminRouteTests {
    let harness = Harness()

    @Test func hallAnswersWithItsSeatIds() async throws {
        try await harness.run { api in
            let answer = try await api.call(
                .post, "/halls", token: Harness.admin,
                json: [
                    "name": "Odeon",
                    "sections": [
                        ["id": "stalls", "name": "Stalls", "price": 12.5, "rows": [["row": "A", "seats": 3]]],
                        ["name": "Balcony", "price": 20, "rows": [["row": "B", "seats": 2]]],
                    ],
                ])
            #expect(answer.status == 201)
            let sections = try #require(answer.json["sections"] as? [[String: Any]])
            #expect(sections.map { $0["seatIds"] as? [String] } == [["A1", "A2", "A3"], ["B1", "B2"]])
            #expect(sections[1]["id"] as? String == "s2", "a section without id gets one")
            #expect(sections[0]["price"] as? Double == 12.5)
            #expect(answer.json["seatCount"] as? Int == 5)
            #expect(answer.headers[.init("X-Position")!] == "\(answer.json["position"] as! Int)")
        }
    }

    @Test func adminRoutesNeedTheAdminToken() async throws {
        try await harness.run { api in
            let user = try await api.user()
            for path in ["/halls", "/sessions", "/events/create", "/admin/shows"] {
                #expect(try await api.call(.post, path, json: [:]).status == 401)
                #expect(try await api.call(.post, path, token: "wrong", json: [:]).errorCode == "unauthorized")
                let forbidden = try await api.call(.post, path, token: user.token, json: [:])
                #expect(forbidden.status == 403 && forbidden.errorCode == "forbidden")
            }
        }
    }

    @Test func invalidLayoutsAreRefusedWithReasons() async throws {
        try await harness.run { api in
            let cases: [[String: Any]] = [
                ["name": "", "sections": [["name": "M", "price": 1, "rows": [["row": "A", "seats": 1]]]]],
                ["name": "H", "sections": []],
                ["name": "H", "sections": [["name": "M", "price": -1, "rows": [["row": "A", "seats": 1]]]]],
                ["name": "H", "sections": [["name": "M", "price": 1, "rows": [["row": "A1", "seats": 1]]]]],
                ["name": "H", "sections": [["name": "M", "price": 1, "rows": [["row": "A", "seats": 0]]]]],
                ["name": "H", "sections": [["name": "M", "price": "free", "rows": [["row": "A", "seats": 1]]]]],
                ["name": "H"],
            ]
            for body in cases {
                let answer = try await api.call(.post, "/halls", token: Harness.admin, json: body)
                #expect(answer.status == 400 && answer.errorCode == "invalid_request", "\(body)")
                #expect((answer.error["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test func sessionsEventsAndShows() async throws {
        try await harness.run { api in
            let hall = try await api.hall()
            let session = try await api.call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": hall, "startsAt": "2026-12-24T20:00:00Z"])
            #expect(session.status == 201)
            #expect(session.json["kind"] as? String == "seated")
            #expect((session.json["hall"] as? [String: Any])?["id"] as? String == hall)
            #expect(session.json["startsAt"] as? String == "2026-12-24T20:00:00.000Z")

            let missingHall = try await api.call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": "hall_nope", "startsAt": "2026-12-24T20:00:00Z"])
            #expect(missingHall.status == 404 && missingHall.errorCode == "not_found")
            let badDate = try await api.call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": hall, "startsAt": "tomorrow"])
            #expect(badDate.status == 400)

            let event = try await api.call(
                .post, "/events/create", token: Harness.admin,
                json: [
                    "name": "Gig", "sections": [["name": "Floor", "price": 45, "capacity": 500], ["name": "Balcony", "price": 65, "capacity": 20]],
                ])
            #expect(event.status == 201)
            let sections = try #require(event.json["sections"] as? [[String: Any]])
            #expect(sections.map { $0["remaining"] as? Int } == [500, 20])
            #expect(sections.allSatisfy { $0["id"] is String && $0["capacity"] is Int })
            #expect(event.json["name"] as? String == "Gig")
            let zeroCapacity = try await api.call(
                .post, "/events/create", token: Harness.admin,
                json: ["name": "Gig", "sections": [["name": "F", "price": 1, "capacity": 0]]])
            #expect(zeroCapacity.status == 400)

            let show = try await api.call(
                .post, "/admin/shows", token: Harness.admin,
                json: ["name": "Play", "start_time": "2026-12-24T20:00:00Z", "total_seats": 30])
            #expect(show.status == 201 && show.json["message"] as? String == "Show created")
            let showId = try #require(show.json["showId"] as? String)
            let user = try await api.user()
            let held = try await api.call(.post, "/book", token: user.token, json: ["showId": showId, "seats": ["1", "30"]])
            #expect(held.status == 201 && held.json["status"] as? String == "PENDING", "seed 004's word for HELD")
            #expect(try await api.call(.post, "/book", token: user.token, json: ["showId": showId, "seats": ["31"]]).status == 400)
            #expect(
                try await api.call(
                    .post, "/admin/shows", token: Harness.admin,
                    json: ["name": "Play", "start_time": "2026-12-24T20:00:00Z", "total_seats": 0]
                ).status == 400)
        }
    }

    /// Issue 14 item 8: `/admin/shows` documents up to 20,000 seats, numbered 1…N, but its one unlabelled
    /// row ran into the 500-seat limit of a hall's row.
    @Test(arguments: [501, LayoutLimits.maxSeats])
    func showsUpToTwentyThousandSeatsAreCreated(_ seats: Int) async throws {
        try await harness.run { api in
            let show = try await api.call(
                .post, "/admin/shows", token: Harness.admin,
                json: ["name": "Arena", "start_time": "2026-12-24T20:00:00Z", "total_seats": seats])
            #expect(show.status == 201, "\(seats) seats: \(show.errorCode ?? "") \(show.error["message"] ?? "")")
            let showId = try #require(show.json["showId"] as? String)
            let user = try await api.user()
            let last = try await api.call(.post, "/book", token: user.token, json: ["showId": showId, "seats": ["1", "\(seats)"]])
            #expect(last.status == 201 && last.json["status"] as? String == "PENDING", "seat \(seats) exists")
            let beyond = try await api.call(.post, "/book", token: user.token, json: ["showId": showId, "seats": ["\(seats + 1)"]])
            #expect(beyond.status == 400 && beyond.errorCode == "invalid_request")
        }
    }

    @Test func moreThanTwentyThousandSeatsAndLongHallRowsAreStillRefused() async throws {
        try await harness.run { api in
            let show = try await api.call(
                .post, "/admin/shows", token: Harness.admin,
                json: ["name": "Arena", "start_time": "2026-12-24T20:00:00Z", "total_seats": LayoutLimits.maxSeats + 1])
            #expect(show.status == 400 && show.errorCode == "invalid_request")
            let hall = try await api.call(
                .post, "/halls", token: Harness.admin,
                json: [
                    "name": "Barn", "sections": [["name": "M", "price": 1, "rows": [["row": "A", "seats": LayoutLimits.maxSeatsPerRow + 1]]]],
                ])
            #expect(hall.status == 400, "only a show's unlabelled row may exceed a row's limit")
        }
    }
}
