import Foundation
import TestSupport
import Testing

/// Seed 001 (`seeds/001…`, cinema sessions with optimistic locking and KPIs) against the real executable:
/// its three endpoints, and its four KPIs (success, concurrency, conflict rate, average response time).
@Suite("Seed 001 conformance (end to end)", .serialized)
struct Seed001ConformanceTests {
    @Test func itsEndpointsAndItsFourKPIs() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 4)
        let users = try await scenario.users(20)

        let created = try await scenario.history(session).compactMap { $0["position"] as? Int }.max() ?? 0
        let sessions = try await HTTP.reflecting("\(base)/sessions?minPosition=\(created)", position: created)
        #expect((sessions.json["items"] as? [[String: Any]])?.contains { $0["id"] as? String == session } == true)
        let seats = try await HTTP.send(.GET, "\(base)/sessions/\(session)/seats")
        #expect((seats.json["seats"] as? [[String: Any]])?.count == 4)

        // 20 buyers on the same two seats: one wins, the rest conflict.
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for user in users {
                group.addTask {
                    try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"]])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 1 && replies.filter { $0.status == 409 }.count == 19)

        let kpis = try await HTTP.send(.GET, "\(base)/kpis")
        let requests = try #require(kpis.json["requests"] as? [String: Any])
        #expect(requests["successRate"] as? Double == 0.05)
        #expect(requests["seatConflictRate"] as? Double == 0.95)
        #expect((requests["maxInFlight"] as? Int ?? 0) >= 1, "concurrency")
        let reserve = try #require(
            (requests["commands"] as? [[String: Any]])?.first { $0["command"] as? String == "POST /sessions/:id/seats/reserve" })
        #expect(reserve["count"] as? Int == 20)
        // Average response time beside the percentiles: a mean lies within the range the percentiles span.
        let mean = try #require(reserve["meanMs"] as? Double)
        let p99 = try #require(reserve["p99Ms"] as? Double)
        #expect(mean > 0 && mean <= p99 * 1.05, "mean \(mean) ms, p99 \(p99) ms")
    }
}
