import Commands
import EventStore
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
import Synchronization
import TestSupport
import Testing
import Webhooks

/// A clock the tests move by hand, so hold expiry is tested without sleeping.
final class TestClock: Sendable {
    private let now = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    func read() -> Date { now.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
}

/// An answer of the in-process router.
struct Answer {
    var status: Int
    var headers: HTTPFields
    var body: Data
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    var errorCode: String? { error["code"] as? String }
}

/// The gateway's router on the real PostgreSQL store, driven through Hummingbird's test client.
struct Harness {
    static let admin = "harness-admin-token"
    let clock = TestClock()

    func run(holdTTL: TimeInterval = 60, _ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let store = try await TestDatabase.store()
        let clock = self.clock
        let documents = PostgresDocumentStore(client: TestDatabase.client, logger: TestDatabase.logger)
        let backend = Backend(
            store: store, documents: documents,
            settings: GatewaySettings(
                adminToken: Self.admin, holdTTL: holdTTL, gatewayId: "harness",
                requestTimeout: .seconds(60)),
            clock: { clock.read() },
            webhookQueue: PostgresWebhookQueue(client: TestDatabase.client, logger: TestDatabase.logger))
        let app = Application(router: GatewayRouter.build(backend, logger: TestDatabase.logger), logger: TestDatabase.logger)
        try await app.test(.router) { client in try await body(Client(client: client, store: store)) }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let store: PostgresEventStore

        @discardableResult
        func call(
            _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, raw: Data? = nil,
            headers: [String: String] = [:]
        ) async throws -> Answer {
            var fields = HTTPFields()
            if let token { fields[.authorization] = "Bearer \(token)" }
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            let data = try raw ?? json.map { try JSONSerialization.data(withJSONObject: $0) }
            if data != nil { fields[.contentType] = "application/json" }
            return try await client.execute(uri: uri, method: method, headers: fields, body: data.map { ByteBuffer(bytes: $0) }) {
                Answer(status: Int($0.status.code), headers: $0.headers, body: Data($0.body.readableBytesView))
            }
        }

        func hall(rows: [[String: Any]] = [["row": "A", "seats": 4], ["row": "B", "seats": 4]], price: Double = 10) async throws -> String {
            let answer = try await call(
                .post, "/halls", token: Harness.admin,
                json: [
                    "name": "Hall", "sections": [["id": "main", "name": "Main", "price": price, "rows": rows]],
                ])
            #expect(answer.status == 201)
            return try #require(answer.json["id"] as? String)
        }

        func session(hall: String? = nil) async throws -> String {
            let hallId: String
            if let hall { hallId = hall } else { hallId = try await self.hall() }
            let answer = try await call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": hallId, "startsAt": "2026-12-24T20:00:00Z"])
            #expect(answer.status == 201)
            return try #require(answer.json["id"] as? String)
        }

        func event(capacity: Int = 10, sections: Int = 1) async throws -> String {
            let answer = try await call(
                .post, "/events/create", token: Harness.admin,
                json: [
                    "name": "Gig", "sections": (0..<sections).map { ["name": "S\($0)", "price": 25, "capacity": capacity] },
                ])
            #expect(answer.status == 201)
            return try #require(answer.json["id"] as? String)
        }

        func user() async throws -> (id: String, token: String) {
            let answer = try await call(.post, "/users", json: ["name": "Ada", "email": "\(UUID().uuidString)@example.test"])
            #expect(answer.status == 201)
            return (try #require(answer.json["id"] as? String), try #require(answer.json["token"] as? String))
        }

        func eventCount(_ sessionId: String) async throws -> Int {
            try await store.readStream("session-\(sessionId)", after: 0).count
        }
    }
}
