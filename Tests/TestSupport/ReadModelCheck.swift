import EventStore
import Foundation
import PostgresNIO
import Projections

/// Compares what a store holds with what folding the whole log through the projections gives.
public enum ReadModelCheck {
    /// Differences between the active read models and a fresh fold of every event (empty when equal), and
    /// any read-model repair a projector had to make on the way, unless the test caused them on purpose.
    public static func drift(
        client: PostgresClient, events: PostgresEventStore,
        projections: [any Projection] = Projections.all, repairsExpected: Bool = false
    ) async throws -> [String] {
        let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
        var all: [StoredEvent] = []
        var checkpoint = Checkpoint.start
        while true {
            let batch = try await events.readAll(after: checkpoint, limit: 5_000)
            guard let last = batch.last else { break }
            all += batch
            checkpoint = last.checkpoint
        }
        var problems: [String] = []
        if !repairsExpected {
            let repairs = try await ProjectionRepairs(client: client, logger: TestDatabase.logger).counts()
            for (projection, count) in repairs.sorted(by: { $0.key < $1.key }) {
                problems.append("\(projection): \(count) read-model repairs")
            }
        }
        for projection in projections {
            let expected = try ProjectionFold.documents(projection, events: all)
            for (key, body) in expected {
                guard let stored = try await documents.get(key.collection, id: key.id) else {
                    problems.append("missing \(key.collection.name)/\(key.id)")
                    continue
                }
                if !ProjectionFold.sameJSON(stored.body, body) {
                    problems.append("differs \(key.collection.name)/\(key.id)")
                }
            }
            let generation = try await documents.activeGeneration(projection: projection.name)
            let rows = try await client.query(
                "SELECT count(*)::int8 FROM documents WHERE projection = \(projection.name) AND generation = \(generation)",
                logger: TestDatabase.logger)
            for try await count in rows.decode(Int.self) where count != expected.count {
                problems.append("\(projection.name): \(count) documents stored, \(expected.count) expected")
            }
        }
        return problems
    }

    /// Waits until every projection has applied the whole log (or the timeout passes). The default is a
    /// bound for a loaded 2-core machine running the whole suite, not a measure of lag: it returns at once when caught up.
    public static func waitUntilCaughtUp(
        client: PostgresClient, events: PostgresEventStore, timeout: Duration = .seconds(60),
        projections: [any Projection] = Projections.all
    ) async throws -> Bool {
        let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var behind = 0
            for projection in projections {
                let position = try await documents.appliedPosition(projection: projection.name)
                behind += try await events.backlog(after: position.checkpoint, types: projection.eventTypes).events
            }
            if behind == 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
