import Foundation
import TestSupport
import Testing

/// Issue 16, item 4 over HTTP: `/sessions/:id/blocks`, the `BLOCKED` seat status, booking from a block.
@Suite("House seats and blocks (routes)")
struct SeatBlockRouteTests {
    let harness = Harness()

    @Test func theAdminBlocksSeatsBuyersSeeThemBlockedAndTheAdminBooksOrReleasesThem() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let blocks = "/sessions/\(session)/blocks"
            let made = try await api.call(.post, blocks, token: Harness.admin, json: ["seats": ["A2", "A3", "B1"], "reason": "press"])
            #expect(made.status == 201 && made.json["seats"] as? [String] == ["A2", "A3", "B1"] && made.json["reason"] as? String == "press")
            let block = try #require(made.json["id"] as? String)
            let position = try #require(made.json["position"] as? Int)

            let map = try await api.call(.get, "/sessions/\(session)/seats?minPosition=\(position)")
            let statuses = Dictionary(
                uniqueKeysWithValues: (map.json["seats"] as? [[String: Any]] ?? []).map { ($0["id"] as! String, $0["status"] as! String) })
            #expect(statuses["A2"] == "BLOCKED" && statuses["B1"] == "BLOCKED" && statuses["A1"] == "AVAILABLE")
            #expect((map.json["summary"] as? [String: Int])?["blocked"] == 3 && (map.json["summary"] as? [String: Int])?["available"] == 5)
            let compact = try await api.call(.get, "/sessions/\(session)/seats?format=compact&minPosition=\(position)")
            #expect((compact.json["rows"] as? [[String: Any]])?.map { $0["seats"] as? String } == ["AXXA", "XAAA"])
            let listed = try await api.call(.get, blocks, token: Harness.admin)
            #expect((listed.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [block])

            // A buyer cannot take a blocked seat, nor can the admin through an ordinary reservation.
            let refused = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"]])
            #expect(refused.status == 409 && refused.errorCode == "seat_unavailable" && refused.error["seats"] as? [String] == ["A2"])
            let asAdmin = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: Harness.admin, json: ["seats": ["A3"], "userId": user.id])
            #expect(asAdmin.status == 409 && asAdmin.errorCode == "seat_unavailable")
            #expect(try await api.call(.post, blocks, token: user.token, json: ["seats": ["A4"], "reason": "mine"]).status == 403)

            // The admin books two of them for the user, confirmed at once.
            let booked = try await api.call(
                .post, "\(blocks)/\(block)/book", token: Harness.admin, json: ["userId": user.id, "seats": ["A2", "A3"]])
            #expect(booked.status == 201 && booked.json["status"] as? String == "CONFIRMED" && booked.json["seats"] as? [String] == ["A2", "A3"])
            #expect(booked.json["userId"] as? String == user.id && booked.json["amount"] as? Double == 20)
            let notInBlock = try await api.call(.post, "\(blocks)/\(block)/book", token: Harness.admin, json: ["userId": user.id, "seats": ["A4"]])
            #expect(notInBlock.status == 409 && notInBlock.errorCode == "seat_unavailable")

            // Released, the rest of the block is on sale; a second release changes nothing.
            let released = try await api.call(.delete, "\(blocks)/\(block)", token: Harness.admin)
            #expect(released.status == 200 && released.json["seats"] as? [String] == [] && released.json["releasedAt"] is String)
            let before = try await api.eventCount(session)
            let again = try await api.call(.delete, "\(blocks)/\(block)", token: Harness.admin)
            let after = try await api.eventCount(session)
            #expect(again.status == 200 && after == before)
            #expect(try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["B1"]]).status == 201)
            let empty = try await api.call(.post, "\(blocks)/\(block)/book", token: Harness.admin, json: ["userId": user.id])
            #expect(empty.status == 409 && empty.errorCode == "block_empty")
            let none = try await api.call(.get, blocks, token: Harness.admin)
            #expect((none.json["items"] as? [Any])?.isEmpty == true)

            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin)
            #expect(
                history.array.map { $0["type"] as? String } == [
                    "SessionScheduled", "SeatsBlocked", "BookingPlaced", "TicketIssued", "TicketIssued", "SeatsReleased", "BookingPlaced",
                ])
        }
    }

    @Test func badBlockRequestsAreClearErrors() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let event = try await api.event()
            let blocks = "/sessions/\(session)/blocks"
            let cases: [(Any, Int)] = [
                (["seats": [String](), "reason": "press"], 400),
                (["seats": ["A1", "A1"], "reason": "press"], 400),
                (["seats": ["Z1"], "reason": "press"], 400),
                (["seats": ["A1"], "reason": ""], 400),
                (["seats": ["A1"]], 400),
                (["seats": ["A1\u{0}"], "reason": "press"], 400),
                (["seats": "A1", "reason": "press"], 400),
            ]
            for (body, status) in cases {
                let answer = try await api.call(.post, blocks, token: Harness.admin, json: body)
                #expect(answer.status == status && answer.errorCode != nil, "\(body): \(answer.status)")
            }
            #expect(try await api.call(.post, "/sessions/nosuch/blocks", token: Harness.admin, json: ["seats": ["A1"], "reason": "x"]).status == 404)
            let ga = try await api.call(.post, "/sessions/\(event)/blocks", token: Harness.admin, json: ["seats": ["A1"], "reason": "x"])
            #expect(ga.status == 400)
            #expect(try await api.call(.delete, "\(blocks)/blk_nosuch", token: Harness.admin).status == 404)
            #expect(try await api.call(.get, "/sessions/nosuch/blocks", token: Harness.admin).status == 404)
            let noUser = try await api.call(.post, "\(blocks)/blk_nosuch/book", token: Harness.admin, json: ["seats": ["A1"]])
            #expect(noUser.status == 400)
            let noBlock = try await api.call(.post, "\(blocks)/blk_nosuch/book", token: Harness.admin, json: ["userId": "usr_x"])
            #expect(noBlock.status == 404 && noBlock.errorCode == "not_found")
        }
    }

    /// Against a real server with its workers: the KPI projection counts blocked seats out of occupancy.
    @Test func occupancyLeavesBlockedSeatsOut() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 2, seatsPerRow: 4)
        let user = try await scenario.user("Ada")
        let blocked = try await HTTP.send(
            .POST, "\(server.baseURL)/sessions/\(session)/blocks", token: server.adminToken,
            json: ["seats": ["B1", "B2", "B3", "B4"], "reason": "crew"])
        #expect(blocked.status == 201)
        let booked = try await HTTP.send(
            .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"], "confirm": true])
        #expect(booked.status == 201)
        let until = ContinuousClock.now + .seconds(30)
        var figures: [String: Any]?
        while ContinuousClock.now < until {
            let kpis = try await HTTP.send(.GET, "\(server.baseURL)/kpis")
            figures = (kpis.json["sessions"] as? [[String: Any]])?.first { $0["id"] as? String == session }
            if figures?["booked"] as? Int == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(figures?["blocked"] as? Int == 4 && figures?["capacity"] as? Int == 8)
        #expect(figures?["occupancy"] as? Double == 0.5, "2 booked of the 4 seats on sale")
    }
}
