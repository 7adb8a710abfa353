import Commands
import Foundation
import TestSupport
import Testing

/// Issue 17, item 3 over HTTP: `/sessions/:id/waiting-room` and `/sessions/:id/queue`, on a clock the test moves.
@Suite("Waiting room (routes)")
struct WaitingRoomRouteTests {
    let harness = Harness()

    @Test func buyersQueueBeforeTheOnSaleAndBookInTurn() async throws {
        let clock = harness.clock
        try await harness.run { api in
            let session = try await api.session()
            let buyers = [try await api.user(), try await api.user(), try await api.user()]
            let onSaleAt = clock.read().addingTimeInterval(60)
            let opened = try await api.call(
                .post, "/sessions/\(session)/waiting-room", token: Harness.admin,
                json: ["onSaleAt": ISO8601.string(from: onSaleAt), "admitPerMinute": 30])
            #expect(opened.status == 201)
            #expect(
                try await api.call(
                    .post, "/sessions/\(session)/waiting-room", token: buyers[0].token,
                    json: ["onSaleAt": "2030-01-01T00:00:00Z", "admitPerMinute": 1]
                ).status == 403)
            for buyer in buyers {
                let joined = try await api.call(.post, "/sessions/\(session)/queue", token: buyer.token)
                #expect(joined.status == 201 && joined.json["place"] == nil, "no place before the draw")
            }
            let early = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: buyers[0].token, json: ["seats": ["A1"]])
            #expect(early.status == 409 && early.errorCode == "not_admitted")
            #expect(try await api.call(.get, "/sessions/\(session)/queue", token: (try await api.user()).token).status == 404)

            clock.advance(60)
            // Places are drawn now; at 30 a minute, place p's turn comes 2 (p − 1) seconds in.
            var places: [(token: String, place: Int)] = []
            for buyer in buyers {
                let status = try await api.call(.get, "/sessions/\(session)/queue", token: buyer.token)
                let place = try #require(status.json["place"] as? Int)
                #expect((status.json["admitAt"] as? String).flatMap(ISO8601.date(from:)) == onSaleAt.addingTimeInterval(Double(place - 1) * 2))
                places.append((buyer.token, place))
            }
            #expect(places.map(\.place).sorted() == [1, 2, 3])
            let ordered = places.sorted { $0.place < $1.place }
            #expect(try await api.call(.post, "/sessions/\(session)/seats/reserve", token: ordered[0].token, json: ["seats": ["A1"]]).status == 201)
            let third = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: ordered[2].token, json: ["seats": ["A3"]])
            #expect(third.status == 409 && third.error["place"] as? Int == 3)
            let stranger = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: (try await api.user()).token, json: ["seats": ["A4"]])
            #expect(stranger.status == 409 && stranger.errorCode == "not_admitted" && stranger.error["place"] is NSNull)
            clock.advance(4)
            #expect(try await api.call(.post, "/sessions/\(session)/seats/reserve", token: ordered[2].token, json: ["seats": ["A3"]]).status == 201)
            let room = try await api.call(.get, "/sessions/\(session)/queue", token: Harness.admin)
            #expect(room.json["empty"] as? Bool == true && room.json["queued"] as? Int == 3)
            #expect(try await api.call(.post, "/sessions/\(session)/queue", token: (try await api.user()).token).errorCode == "waiting_room_empty")

            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin).array
            let admitted = history.filter { $0["type"] as? String == "Admitted" }.flatMap {
                ($0["data"] as? [String: Any])?["userIds"] as? [String] ?? []
            }
            #expect(admitted.count == 1, "the first buyer's admission; by the third's booking the room was empty")
        }
    }
}
