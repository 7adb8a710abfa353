import Foundation
import TestSupport
import Testing

@Suite("Audit history from the event store")
struct HistoryRouteTests {
    let harness = Harness()

    @Test func historyListsEveryEventAndAsOfRebuildsTheSeatMap() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let held = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"]],
                headers: ["Idempotency-Key": "hist-1"])
            let booking = try #require(held.json["id"] as? String)
            _ = try await api.call(.post, "/bookings/\(booking)/cancel", token: user.token)

            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin).array
            #expect(history.map { $0["type"] as? String } == ["SessionScheduled", "BookingPlaced", "BookingCancelled"])
            #expect(history.map { $0["version"] as? Int } == [1, 2, 3])
            #expect(history.allSatisfy { $0["position"] is Int && $0["recordedAt"] is String && $0["data"] is [String: Any] })
            #expect((history[1]["metadata"] as? [String: Any])?["idempotencyKey"] as? String == "hist-1")

            let asOf2 = try await api.call(.get, "/sessions/\(session)/history?asOf=2", token: Harness.admin).json
            let seats2 = try #require(asOf2["seats"] as? [[String: Any]])
            #expect(seats2.filter { $0["status"] as? String == "HELD" }.map { $0["id"] as? String } == ["A1", "A2"])
            #expect((asOf2["summary"] as? [String: Any])?["held"] as? Int == 2)
            #expect(seats2.allSatisfy { $0["userId"] == nil && $0["bookingId"] == nil }, "seat maps never reveal the holder")
            let asOf3 = try await api.call(.get, "/sessions/\(session)/history?asOf=3", token: Harness.admin).json
            #expect((asOf3["summary"] as? [String: Any])?["available"] as? Int == 8)

            #expect(try await api.call(.get, "/sessions/\(session)/history?asOf=9", token: Harness.admin).status == 400)
            #expect(try await api.call(.get, "/sessions/\(session)/history?asOf=x", token: Harness.admin).status == 400)
            #expect(try await api.call(.get, "/sessions/\(session)/history", token: user.token).status == 403)
            #expect(try await api.call(.get, "/sessions/ses_none/history", token: Harness.admin).status == 404)
        }
    }
}
