import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Projections
import TestSupport
import Testing

@testable import Gateway

/// `?minPosition` must not be a way to tie up the database (issue 14, item 1): a position left empty by a
/// rolled-back insert is reflected once the next event is, and waiters are capped while commands are
/// answered throughout. On a database of its own with no projector running, so the read models stay
/// where the test puts them.
@Suite("Read waits (minPosition)")
struct ReadWaitTests {
    static let admin = "read-waits-admin-token"

    func withGateway(
        readWaitLimit: Duration = .seconds(2),
        _ body: @Sendable (any TestClientProtocol, PostgresClient, PostgresEventStore, Backend) async throws -> Void
    ) async throws {
        let (client, events) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        var settings = GatewaySettings(adminToken: Self.admin, gatewayId: "read-waits", requestTimeout: .seconds(60))
        settings.readWaitLimit = readWaitLimit
        let backend = Backend(
            store: events, documents: PostgresDocumentStore(client: client, logger: TestDatabase.logger), settings: settings)
        let app = Application(router: GatewayRouter.build(backend, logger: TestDatabase.logger), logger: TestDatabase.logger)
        try await app.test(.router) { http in try await body(http, client, events, backend) }
    }

    func post(_ http: any TestClientProtocol, _ uri: String, _ json: String, token: String? = admin) async throws -> (HTTPResponse.Status, Int64?) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await http.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json)) { response in
            (response.status, response.headers[HTTPField.Name("X-Position")!].flatMap { Int64($0) })
        }
    }

    func halls(_ http: any TestClientProtocol, minPosition: Int64) async throws -> (status: HTTPResponse.Status, reflects: Int64?) {
        try await http.execute(uri: "/halls?minPosition=\(minPosition)", method: .get) { response in
            (response.status, response.headers[HTTPField.Name("X-Read-Model-Position")!].flatMap { Int64($0) })
        }
    }

    static let hall = #"{"name":"Hall","sections":[{"name":"Main","price":10,"rows":[{"row":"A","seats":2}]}]}"#

    @Test func aPositionLeftEmptyByARollbackIsReflectedOnceTheNextEventIs() async throws {
        try await withGateway { http, client, events, _ in
            let (status, first) = try await post(http, "/halls", Self.hall)
            #expect(status == .created)
            // The halls read model applies the hall. The gap-safe read stops short of transactions other
            // tests on this PostgreSQL still have open, so on a busy cluster it may take more than one pass.
            let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
            let until = ContinuousClock.now + .seconds(120)
            let created = try #require(first)
            while true {
                _ = try await ProjectionRebuild.run(HallProjection(), events: events, documents: documents, owner: "read-wait-test")
                let applied = try await documents.appliedPosition(projection: "halls").checkpoint.position
                if applied >= created || ContinuousClock.now >= until { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            // An insert rolled back: its global position is used up and never appears in the log.
            _ = try? await client.withTransaction(logger: TestDatabase.logger) { connection in
                try await connection.query(
                    "INSERT INTO events (stream_id, version, type, data, metadata) VALUES ('hole', 1, 'Noted', '{}', '{}')",
                    logger: TestDatabase.logger)
                throw CancellationError()
            }
            let hole = created + 1
            // The next event is not one the halls read model reads: nothing it applies lies before the hole.
            let (registered, next) = try await post(http, "/users", #"{"name":"Bo","email":"bo@holes.test"}"#, token: nil)
            #expect(registered == .created && (next ?? 0) > hole, "the registration lands after the hole (\(String(describing: next)))")
            // Proving that no hall lies before the next event needs the log's horizon past it, and any open
            // transaction in the cluster (other tests' databases included) holds that back for a while: a
            // busy moment answers the applied position at the wait's deadline instead. So ask until the hole
            // is reflected; a wait that never passed a hole fails here after two minutes.
            var answer = try await halls(http, minPosition: hole)
            while answer.reflects != hole, ContinuousClock.now < until + .seconds(120) {
                #expect(answer.status == .ok, "the wait ends at its deadline with what is applied")
                answer = try await halls(http, minPosition: hole)
            }
            #expect(answer.status == .ok)
            #expect(answer.reflects == hole, "the hole is reflected, not waited for forever")
        }
    }

    /// Waits are long here (60 s) so that on a loaded machine the waiters are surely waiting when counted;
    /// the projection is then brought up to date, which releases them.
    @Test func waitersAreCappedAndCommandsAreAnsweredMeanwhile() async throws {
        try await withGateway(readWaitLimit: .seconds(60)) { http, client, events, backend in
            let (_, position) = try await post(http, "/halls", Self.hall)
            let wanted = try #require(position)
            let storm = Task {
                // No projector runs: each of these waits unless the cap answers it at once.
                try await withThrowingTaskGroup(of: (HTTPResponse.Status, Int64?).self) { group in
                    for _ in 0..<200 { group.addTask { try await halls(http, minPosition: wanted) } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            // Counted directly, every millisecond, until the cap is reached (or a minute passed).
            var peak = 0
            let until = ContinuousClock.now + .seconds(60)
            while peak < ReadWaits.limit, ContinuousClock.now < until {
                peak = max(peak, backend.reads.waits.current)
                try await Task.sleep(for: .milliseconds(1))
            }
            // And a little longer: without the cap, more would now be waiting.
            let settle = ContinuousClock.now + .milliseconds(300)
            while ContinuousClock.now < settle {
                peak = max(peak, backend.reads.waits.current)
                try await Task.sleep(for: .milliseconds(1))
            }
            // A command while the waiters wait is answered.
            let (hall, _) = try await post(http, "/halls", Self.hall)
            #expect(hall == .created)
            peak = max(peak, backend.reads.waits.current)
            _ = try await ProjectionRebuild.run(
                HallProjection(), events: events, documents: PostgresDocumentStore(client: client, logger: TestDatabase.logger),
                owner: "read-wait-test")
            let answers = try await storm.value
            #expect(answers.count == 200 && answers.allSatisfy { $0.0 == .ok }, "every waiter is answered")
            #expect(peak == ReadWaits.limit, "waiters at once: \(peak), the cap is \(ReadWaits.limit)")
            #expect(backend.reads.waits.current == 0)
        }
    }
}
