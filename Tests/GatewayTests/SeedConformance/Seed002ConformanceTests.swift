import Commands
import Foundation
import TestSupport
import Testing

/// Seed 002 (`seeds/002…`, holds with expiry) against the real executable, behaviour by behaviour: a hold
/// with `holdExpiresAt` five minutes on, idempotent confirmation, cancellation, expiry to EXPIRED, and a
/// shorter hold in test mode (`HOLD_TTL`).
@Suite("Seed 002 conformance (end to end)", .serialized)
struct Seed002ConformanceTests {
    @Test func holdConfirmTwiceAndCancel() async throws {
        let server = try await ServerProcess(databaseURL: try await TestDatabase.freshDatabase())
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 4)
        let (_, token) = try await scenario.user()

        let held = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: token, json: ["seats": ["A1", "A2"]])
        #expect(held.status == 201 && held.json["status"] as? String == "HELD")
        let created = try #require((held.json["createdAt"] as? String).flatMap(ISO8601.date(from:)))
        let deadline = try #require((held.json["holdExpiresAt"] as? String).flatMap(ISO8601.date(from:)))
        #expect(abs(deadline.timeIntervalSince(created) - 300) < 0.01, "holds last five minutes by default")
        let id = try #require(held.json["id"] as? String)

        let confirmed = try await HTTP.send(.POST, "\(base)/bookings/\(id)/confirm", token: token)
        let again = try await HTTP.send(.POST, "\(base)/bookings/\(id)/confirm", token: token)
        #expect(confirmed.status == 200 && again.status == 200 && confirmed.json["status"] as? String == "CONFIRMED")
        #expect(again.json["position"] as? Int == confirmed.json["position"] as? Int, "a repeated confirmation changes nothing")
        let history = try await scenario.history(session)
        #expect(history.filter { $0["type"] as? String == "BookingConfirmed" }.count == 1)

        let cancelled = try await HTTP.send(.POST, "\(base)/bookings/\(id)/cancel", token: token)
        #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "CANCELLED")
        let retaken = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: token, json: ["seats": ["A1"]])
        #expect(retaken.status == 201, "cancelling released the seats")
    }

    @Test func anUnconfirmedHoldExpiresInTestMode() async throws {
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["HOLD_TTL": "1"], databaseURL: try await TestDatabase.freshDatabase())
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 4)
        let (_, token) = try await scenario.user()
        let held = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: token, json: ["seats": ["A3"]])
        let id = try #require(held.json["id"] as? String)
        var status: String?
        let until = ContinuousClock.now + .seconds(60)
        while status != "EXPIRED", ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(200))
            status = try await HTTP.send(.GET, "\(base)/bookings/\(id)", token: token).json["status"] as? String
        }
        #expect(status == "EXPIRED")
        let late = try await HTTP.send(.POST, "\(base)/bookings/\(id)/confirm", token: token)
        #expect(late.status == 409 && late.errorCode == "hold_expired")
        let seats = try await HTTP.send(.GET, "\(base)/sessions/\(session)/seats")
        #expect((seats.json["seats"] as? [[String: Any]])?.first { $0["id"] as? String == "A3" }?["status"] as? String == "AVAILABLE")
    }
}
