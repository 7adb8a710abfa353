import EventStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

@Suite("Group commit across streams")
struct GroupCommitTests {
    /// 200 streams appended at once share transactions; 20 appends whose version was taken fail alone.
    @Test func aConflictInOneStreamFailsOnlyThatStream() async throws {
        let store = try await TestDatabase.store()
        let run = UUID().uuidString.lowercased().prefix(8)
        let taken = (0..<20).map { "gc-\(run)-taken-\($0)" }
        for stream in taken {
            _ = try await store.append([StreamWrite(streamId: stream, expected: .noStream, events: [event()])], idempotency: [])
        }
        let fresh = (0..<200).map { "gc-\(run)-fresh-\($0)" }
        let outcomes = await withTaskGroup(of: (String, Result<AppendResult, any Error>).self) { group in
            for stream in fresh + taken {
                group.addTask {
                    let key = IdempotencyKey(principal: "group-commit", key: stream)
                    let write = IdempotencyWrite(key: key, lastEventIndex: 1, outcome: Data(stream.utf8), requestHash: "h")
                    do {
                        return (
                            stream,
                            .success(
                                try await store.append(
                                    [StreamWrite(streamId: stream, expected: .noStream, events: [event(), event("Second")])], idempotency: [write]))
                        )
                    } catch {
                        return (stream, .failure(error))
                    }
                }
            }
            var all: [String: Result<AppendResult, any Error>] = [:]
            for await (stream, outcome) in group { all[stream] = outcome }
            return all
        }
        for stream in fresh {
            let result = try outcomes[stream]!.get()
            let stored = try await store.readStream(stream, after: 0)
            #expect(stored.map(\.version) == [1, 2] && result.versions == [2])
            #expect(stored.map(\.position) == result.positions, "each caller gets its own events' positions")
            let key = try #require(try await store.storedOutcome(for: IdempotencyKey(principal: "group-commit", key: stream)))
            #expect(key.position == result.positions[1] && key.outcome == Data(stream.utf8))
        }
        for stream in taken {
            guard case .failure(let error) = outcomes[stream]! else {
                Issue.record("\(stream) appended over a taken version")
                continue
            }
            #expect(error is EventStoreError)
            #expect(try await store.readStream(stream, after: 0).count == 1)
            #expect(try await store.storedOutcome(for: IdempotencyKey(principal: "group-commit", key: stream)) == nil)
        }
        let rows = try await TestDatabase.client.query(
            "SELECT count(DISTINCT transaction_id)::int8 FROM events WHERE stream_id LIKE \("gc-\(run)-fresh-%")", logger: TestDatabase.logger)
        var transactions = 0
        for try await count in rows.decode(Int.self) { transactions = count }
        #expect(transactions < fresh.count, "200 concurrent appends were written in \(transactions) transactions")
    }
}
