import Commands
import Foundation
import NIOHTTP1
import PostgresNIO
import TestSupport
import Testing

@testable import Gateway

extension SecurityMatrixTests {
    /// What the rows of blocks, waiting lists and waiting rooms act on.
    struct SellingFixtures: Sendable {
        var tinyHall: String
        /// A one-seat session whose seat was offered to the owner from its waiting list.
        var tiny: String
        var offer: String
        /// A sold-out one-seat session, for joining and leaving its waiting list.
        var full: String
        /// A session whose waiting room opens in an hour; the owner is queued.
        var roomed: String
        /// A third buyer, who holds the sold-out seats.
        var third: (id: String, token: String)
        var toRelease: String
        var toBookFrom: String
    }

    /// What the rows of tickets and the door act on: a session whose doors are open, the owner's confirmed
    /// booking in it with two tickets, and a door scanner's token.
    struct DoorFixtures: Sendable {
        var session: String
        var booking: String
        var secrets: [String]
        var token: String
    }

    func doorFixtures(base: String, adminToken: String, hall: String, owner: (id: String, token: String)) async throws -> DoorFixtures {
        let tonight = try await HTTP.send(
            .POST, base + "/sessions", token: adminToken,
            json: ["title": "Tonight", "hallId": hall, "startsAt": ISO8601.string(from: Date().addingTimeInterval(3_600))])
        let session = try #require(tonight.json["id"] as? String)
        let held = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["A1", "A2"]])
        let booking = try #require(held.json["id"] as? String)
        #expect(try await HTTP.send(.POST, "\(base)/bookings/\(booking)/confirm", token: owner.token).status == 200)
        let tickets = try await HTTP.send(.GET, "\(base)/bookings/\(booking)/tickets", token: owner.token)
        let secrets = (tickets.json["tickets"] as? [[String: Any]] ?? []).compactMap { $0["secret"] as? String }
        #expect(secrets.count == 2, "fixture tickets: \(tickets.text)")
        let scanner = try await HTTP.send(.POST, base + "/scanners", token: adminToken, json: ["name": "Matrix door"])
        return DoorFixtures(session: session, booking: booking, secrets: secrets, token: try #require(scanner.json["token"] as? String))
    }

    func sellingFixtures(
        base: String, adminToken: String, session: String, owner: (id: String, token: String), scenario: Scenario
    ) async throws -> SellingFixtures {
        func block(_ seats: [String]) async throws -> String {
            let reply = try await HTTP.send(
                .POST, "\(base)/sessions/\(session)/blocks", token: adminToken, json: ["seats": seats, "reason": "press"])
            #expect(reply.status == 201, "fixture block of \(seats): \(reply.text)")
            return try #require(reply.json["id"] as? String)
        }
        // A sold-out one-seat session: the owner waits, is offered the seat when the other buyer cancels.
        let tinyHall = try #require(
            try await HTTP.send(
                .POST, base + "/halls", token: adminToken,
                json: ["name": "Tiny", "sections": [["id": "main", "name": "Main", "price": 10, "rows": [["row": "A", "seats": 1]]]]]
            ).json["id"] as? String)
        let tiny = try #require(
            try await HTTP.send(
                .POST, base + "/sessions", token: adminToken, json: ["title": "Tiny", "hallId": tinyHall, "startsAt": "2026-12-24T20:00:00Z"]
            )
            .json["id"] as? String)
        let third = try await scenario.user("Third")
        let seatTaken = try await HTTP.send(.POST, "\(base)/sessions/\(tiny)/seats/reserve", token: third.token, json: ["seats": ["A1"]])
        #expect(try await HTTP.send(.POST, "\(base)/sessions/\(tiny)/waitlist", token: owner.token, json: ["count": 1]).status == 201)
        let freed = try await HTTP.send(.POST, "\(base)/bookings/\(try #require(seatTaken.json["id"] as? String))/cancel", token: third.token)
        #expect(freed.status == 200)
        let offer = "\(tiny)-offer-1"
        // A second sold-out session for the join and leave rows: the owner and the admin each join once.
        let fullReply = try await HTTP.send(
            .POST, base + "/sessions", token: adminToken, json: ["title": "Full", "hallId": tinyHall, "startsAt": "2026-12-24T20:00:00Z"])
        let full = try #require(fullReply.json["id"] as? String)
        #expect(try await HTTP.send(.POST, "\(base)/sessions/\(full)/seats/reserve", token: third.token, json: ["seats": ["A1"]]).status == 201)
        // A session with a waiting room opening in an hour: the owner queues in it.
        let roomed = try #require(
            try await HTTP.send(
                .POST, base + "/sessions", token: adminToken, json: ["title": "Roomed", "hallId": tinyHall, "startsAt": "2026-12-24T20:00:00Z"]
            )
            .json["id"] as? String)
        let roomReply = try await HTTP.send(
            .POST, "\(base)/sessions/\(roomed)/waiting-room", token: adminToken,
            json: ["onSaleAt": ISO8601.string(from: Date().addingTimeInterval(3_600)), "admitPerMinute": 60])
        #expect(roomReply.status == 201, "\(roomReply.text)")
        #expect(try await HTTP.send(.POST, "\(base)/sessions/\(roomed)/queue", token: owner.token).status == 201)
        let toRelease = try await block(["A180", "A181"])
        let toBookFrom = try await block(["A182"])
        return SellingFixtures(
            tinyHall: tinyHall, tiny: tiny, offer: offer, full: full, roomed: roomed, third: third, toRelease: toRelease,
            toBookFrom: toBookFrom)
    }

    /// No table of the server's database holds any token in plain text; the owner's token's digest is there.
    func tokensAreStoredHashed(database: String, tokens: [String], owner: String) async throws {
        let (client, _) = try await TestDatabase.stores(database)
        var tables: [String] = []
        for try await name in try await client.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'", logger: TestDatabase.logger
        ).decode(String.self) { tables.append(name) }
        #expect(tables.contains("events"))
        func rows(containing text: String) async throws -> Int {
            var total = 0
            for table in tables {
                let query: PostgresQuery = "SELECT count(*)::int8 FROM \(unescaped: "\"\(table)\"") t WHERE t::text LIKE '%' || \(text) || '%'"
                for try await count in try await client.query(query, logger: TestDatabase.logger).decode(Int64.self) { total += Int(count) }
            }
            return total
        }
        for token in tokens { #expect(try await rows(containing: token) == 0, "a token is stored in plain text") }
        #expect(try await rows(containing: Identifiers.sha256(owner)) > 0, "the token's SHA-256 is what is stored")
    }

    func logHasOneLinePerRequestAndNoToken(
        _ server: ServerProcess, requestIds: [String], tokens: [String],
        confirmed: String, session: String
    ) async throws {
        // The log is written as requests finish; wait for the last one's line.
        let deadline = Date().addingTimeInterval(20)
        while !server.log().contains("request.id=\(requestIds.last!)"), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let lines = server.log().split(separator: "\n")
        for token in tokens { #expect(!lines.contains { $0.contains(token) }, "a token appears in the log") }
        for id in requestIds {
            #expect(
                lines.filter { $0.contains("request.id=\(id) ") || $0.hasSuffix("request.id=\(id)") }.count == 1,
                "one log line for request \(id)")
        }
        // The matrix's own confirmation (the fixtures confirm bookings of their own before it).
        let confirmLine = lines.first {
            $0.contains("request.id=matrix-") && $0.contains("http.route=/bookings/{id}/confirm") && $0.contains("http.status=200")
        }
        #expect(confirmLine?.contains("booking.id=\(confirmed)") == true, "\(confirmLine ?? "no confirm line")")
        #expect(confirmLine?.contains("session.id=\(session)") == true)
        #expect(confirmLine?.contains("http.method=POST") == true && confirmLine?.contains("http.duration_ms=") == true)
    }
}
