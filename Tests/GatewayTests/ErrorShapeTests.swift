import Foundation
import TestSupport
import Testing

@Suite("Error shape, limits and headers")
struct ErrorShapeTests {
    let harness = Harness()

    @Test func unknownRoutesWrongMethodsAndLargeBodies() async throws {
        try await harness.run { api in
            let unknown = try await api.call(.get, "/nothing/here")
            #expect(unknown.status == 404 && unknown.errorCode == "not_found")
            let wrongMethod = try await api.call(.get, "/book")
            #expect(wrongMethod.status == 405 && wrongMethod.errorCode == "method_not_allowed")
            #expect(wrongMethod.headers[.allow] == "POST")
            let large = try await api.call(.post, "/users", raw: Data(repeating: 0x20, count: 64 * 1024 + 1))
            #expect(large.status == 413 && large.errorCode == "payload_too_large")
            let empty = try await api.call(.post, "/users")
            #expect(empty.status == 400 && (empty.error["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func requestIdsAreEchoedAndRecordedAsCorrelationIds() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let answer = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: user.token,
                json: ["seats": ["A3"]], headers: ["X-Request-Id": "trace-123"])
            #expect(answer.headers[.init("X-Request-Id")!] == "trace-123")
            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin).array
            let metadata = try #require(history.last?["metadata"] as? [String: Any])
            #expect(metadata["correlationId"] as? String == "trace-123")
            #expect(metadata["userId"] as? String == user.id)
            #expect(try await api.call(.get, "/health").headers[.init("X-Request-Id")!]?.hasPrefix("req_") == true)
        }
    }

    @Test func healthReportsTheEventStore() async throws {
        try await harness.run { api in
            let health = try await api.call(.get, "/health", token: Harness.admin)
            #expect(health.status == 200)
            #expect((health.json["eventStore"] as? [String: Any])?["status"] as? String == "up")
        }
    }
}
