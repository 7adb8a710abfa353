import EventStore
import Foundation
import TestSupport
import Testing

func event(_ type: String = "Tested", _ payload: String = "{}", correlation: String = "test") -> NewEvent {
    NewEvent(type: type, data: Data(payload.utf8), metadata: EventMetadata(correlationId: correlation, gatewayId: "tests"))
}

@Suite("Append with expected version")
struct AppendTests {
    @Test func appendsAtConsecutiveVersionsAndReadsBack() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("append")
        let first = try await store.append([StreamWrite(streamId: stream, expected: .noStream, events: [event(), event()])], idempotency: [])
        #expect(first.versions == [2])
        #expect(first.positions.count == 2 && first.positions[0] < first.positions[1])
        _ = try await store.append([StreamWrite(streamId: stream, expected: .exact(2), events: [event("Third", #"{"n":3}"#)])], idempotency: [])
        let all = try await store.readStream(stream, after: 0)
        #expect(all.map(\.version) == [1, 2, 3])
        #expect(all.last?.type == "Third")
        #expect(try JSONSerialization.jsonObject(with: all.last!.data) as? [String: Int] == ["n": 3])
        #expect(all.allSatisfy { $0.metadata.gatewayId == "tests" })
        #expect(try await store.readStream(stream, after: 2).map(\.version) == [3])
    }

    @Test func wrongExpectedVersionIsTypedAndWritesNothing() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("wrong")
        _ = try await store.append([StreamWrite(streamId: stream, expected: .noStream, events: [event()])], idempotency: [])
        await #expect(throws: EventStoreError.self) {
            try await store.append([StreamWrite(streamId: stream, expected: .noStream, events: [event()])], idempotency: [])
        }
        await #expect(throws: EventStoreError.self) {
            try await store.append([StreamWrite(streamId: stream, expected: .exact(0), events: [event(), event()])], idempotency: [])
        }
        #expect(try await store.readStream(stream, after: 0).count == 1)
    }

    @Test func anyAppendsAtTheEnd() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("any")
        _ = try await store.append([StreamWrite(streamId: stream, expected: .any, events: [event()])], idempotency: [])
        let second = try await store.append([StreamWrite(streamId: stream, expected: .any, events: [event(), event()])], idempotency: [])
        #expect(second.versions == [3])
    }

    @Test func multiStreamAppendIsAtomic() async throws {
        let store = try await TestDatabase.store()
        let a = TestDatabase.uniqueStream("atomic-a")
        let b = TestDatabase.uniqueStream("atomic-b")
        _ = try await store.append([StreamWrite(streamId: b, expected: .noStream, events: [event()])], idempotency: [])
        await #expect(throws: EventStoreError.wrongExpectedVersion(streamId: "")) {
            do {
                _ = try await store.append(
                    [
                        StreamWrite(streamId: a, expected: .noStream, events: [event()]),
                        StreamWrite(streamId: b, expected: .noStream, events: [event()]),
                    ], idempotency: [])
            } catch EventStoreError.wrongExpectedVersion {
                throw EventStoreError.wrongExpectedVersion(streamId: "")
            }
        }
        #expect(try await store.readStream(a, after: 0).isEmpty, "the first stream's event must roll back with the second's conflict")
    }

    @Test func twoWritersAtTheSameVersionExactlyOneCommits() async throws {
        // Two separate pools: two connections, as two processes would have.
        let first = PostgresEventStore(client: TestDatabase.client, logger: TestDatabase.logger)
        let second = PostgresEventStore(client: TestDatabase.makeClient(), logger: TestDatabase.logger)
        _ = try await TestDatabase.store()
        for _ in 0..<25 {
            let stream = TestDatabase.uniqueStream("race")
            _ = try await first.append([StreamWrite(streamId: stream, expected: .noStream, events: [event()])], idempotency: [])
            async let a = attempt {
                try await first.append([StreamWrite(streamId: stream, expected: .exact(1), events: [event("A")])], idempotency: [])
            }
            async let b = attempt {
                try await second.append([StreamWrite(streamId: stream, expected: .exact(1), events: [event("B")])], idempotency: [])
            }
            let results = await [a, b]
            #expect(results.filter { if case .success = $0 { true } else { false } }.count == 1)
            for case .failure(let error) in results {
                guard case EventStoreError.wrongExpectedVersion = error else {
                    Issue.record("the loser must get a typed wrong-expected-version error, got \(error)")
                    continue
                }
            }
            let stored = try await first.readStream(stream, after: 0)
            #expect(stored.map(\.version) == [1, 2])
        }
    }
}

func attempt<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// An append is acknowledged only once PostgreSQL has committed it. A single INSERT in an implicit
/// transaction answers its rows before the commit (the client library finishes the query at
/// CommandComplete), so a commit that then fails — a deferred check here, a fast shutdown in
/// production — would leave an acknowledged booking that is not in the log.
@Suite("Append commit acknowledgement")
struct AppendCommitTests {
    /// A fresh database whose events table refuses, at commit time only, events of type `FailsAtCommit`.
    func storeFailingAtCommit() async throws -> PostgresEventStore {
        let (client, store) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        try await client.query(
            """
            CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused at commit'; END $$
            """, logger: TestDatabase.logger)
        try await client.query(
            """
            CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW WHEN (NEW.type = 'FailsAtCommit') EXECUTE FUNCTION refuse_at_commit()
            """, logger: TestDatabase.logger)
        return store
    }

    @Test func anAppendWhoseCommitFailsThrowsAndLeavesNothing() async throws {
        let store = try await storeFailingAtCommit()
        let stream = TestDatabase.uniqueStream("commit")
        _ = try await store.append([StreamWrite(streamId: stream, expected: .noStream, events: [event()])], idempotency: [])
        await #expect(throws: (any Error).self, "a commit that fails is not acknowledged") {
            try await store.append(
                [StreamWrite(streamId: stream, expected: .exact(1), events: [event("FailsAtCommit")])],
                idempotency: [])
        }
        #expect(try await store.readStream(stream, after: 0).map(\.version) == [1])
        _ = try await store.append([StreamWrite(streamId: stream, expected: .exact(1), events: [event()])], idempotency: [])
        #expect(try await store.readStream(stream, after: 0).map(\.version) == [1, 2])
    }
}
