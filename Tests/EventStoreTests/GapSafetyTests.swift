import EventStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// A reader must never pass an event that commits late with a lower position.
@Suite("Gap-safe global reads", .serialized)
struct GapSafetyTests {
    /// Reads from `checkpoint` until nothing more is visible, keeping only `streams`.
    func drain(_ store: PostgresEventStore, from checkpoint: Checkpoint, streams: Set<String>) async throws -> (Checkpoint, [StoredEvent]) {
        var checkpoint = checkpoint
        var mine: [StoredEvent] = []
        while true {
            let batch = try await store.readAll(after: checkpoint, limit: 500)
            guard let last = batch.last else { return (checkpoint, mine) }
            checkpoint = last.checkpoint
            mine += batch.filter { streams.contains($0.streamId) }
        }
    }

    /// Commit order is numeric: transaction 1000 comes after 999 (as text it would come first, and a
    /// reader would apply version 3 before 2, then skip 2 as already applied).
    @Test(arguments: [1, 2, 10])
    func transactionIdsAcrossAPowerOfTenAreReadInCommitOrder(limit: Int) async throws {
        let (client, store) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        // Only transactions older than the cluster's oldest running one are readable: stay below it.
        var horizon = 0
        for try await xmin in try await client.query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::int8",
            logger: TestDatabase.logger
        ).decode(Int.self) { horizon = xmin }
        let transactions = [8, 9, 10, 98, 99, 100] + [999, 1_000, 9_999, 10_000].filter { $0 < horizon }
        for (index, transaction) in transactions.enumerated() {
            try await client.query(
                """
                INSERT INTO events (stream_id, version, type, data, metadata, transaction_id)
                VALUES ('session-digits', \(index + 1), 'Tested', '{}', '{"correlationId":"t","gatewayId":"t"}',
                        \(String(transaction))::xid8)
                """, logger: TestDatabase.logger)
        }
        var checkpoint = Checkpoint.start
        var read: [StoredEvent] = []
        while true {
            let batch = try await store.readAll(after: checkpoint, limit: limit)
            guard let last = batch.last else { break }
            checkpoint = last.checkpoint
            read += batch
        }
        #expect(read.map(\.version) == Array(1...transactions.count))
        #expect(read.map(\.transactionId) == transactions.map(UInt64.init))
        // The last event in commit order is the highest transaction, not the one that sorts last as text.
        #expect(try await store.latestCheckpoint() == read.last?.checkpoint)
    }

    @Test(arguments: [true, false])
    func lateCommitWithLowerPositionIsNotSkipped(commitFirst: Bool) async throws {
        let store = try await TestDatabase.store()
        let early = TestDatabase.uniqueStream("gap-t1")
        let late = TestDatabase.uniqueStream("gap-t2")
        var (checkpoint, _) = try await drain(store, from: .start, streams: [])

        let t1Inserted = AsyncStream.makeStream(of: Int64.self)
        let release = AsyncStream.makeStream(of: Bool.self)
        // T1: takes position p inside a transaction that stays open until released.
        let t1 = Task {
            try await TestDatabase.makeClient().withTransaction(logger: TestDatabase.logger) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO events (stream_id, version, type, data, metadata)
                    VALUES (\(early), 1, 'Early', '{}', '{"correlationId":"gap"}') RETURNING global_position
                    """, logger: TestDatabase.logger)
                for try await position in rows.decode(Int64.self) { t1Inserted.continuation.yield(position) }
                var iterator = release.stream.makeAsyncIterator()
                if await iterator.next() == false { throw CancellationError() }
            }
        }
        var positions = t1Inserted.stream.makeAsyncIterator()
        let p = try #require(await positions.next())

        // T2 commits position > p while T1 is still open.
        let t2 = try await store.append([StreamWrite(streamId: late, expected: .noStream, events: [event("Late")])], idempotency: [])
        #expect(t2.positions[0] > p)

        let (during, seen) = try await drain(store, from: checkpoint, streams: [early, late])
        #expect(seen.isEmpty, "p+1 must stay invisible while p's transaction is open")
        checkpoint = during

        release.continuation.yield(commitFirst)
        _ = try? await t1.value

        // Other tests may hold transactions open for a while (which hides fresh commits): poll until p+1 is
        // delivered, up to a bound for a loaded machine, then read on once more so a redelivery would show.
        var delivered: [StoredEvent] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while !delivered.contains(where: { $0.streamId == late }) && ContinuousClock.now < deadline {
            let (next, batch) = try await drain(store, from: checkpoint, streams: [early, late])
            checkpoint = next
            delivered += batch
            if batch.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        delivered += try await drain(store, from: checkpoint, streams: [early, late]).1
        // Strict: each event exactly once, in commit order (a duplicate is a reader bug, not noise).
        let trace = delivered.map { "\($0.streamId.prefix(6))@\($0.position)/\($0.transactionId)" }
        if commitFirst {
            #expect(delivered.map(\.position) == [p, t2.positions[0]], "p, then p+1, each once: \(trace)")
        } else {
            #expect(delivered.map(\.position) == [t2.positions[0]], "an aborted transaction leaves only p+1, once: \(trace)")
        }
    }
}
