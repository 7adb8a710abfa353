import EventStore
import Foundation
import TestSupport
import Testing

@Suite("Idempotency keys stored with their events")
struct IdempotencyStoreTests {
    @Test func keyIsStoredInTheSameTransaction() async throws {
        let store = try await TestDatabase.store()
        let stream = TestDatabase.uniqueStream("idem")
        let key = IdempotencyKey(principal: "user-1", key: UUID().uuidString)
        let write = IdempotencyWrite(key: key, lastEventIndex: 1, outcome: Data(#"{"ok":true}"#.utf8), requestHash: "h1")
        let result = try await store.append(
            [StreamWrite(streamId: stream, expected: .noStream, events: [event(), event()])],
            idempotency: [write])
        let stored = try #require(try await store.storedOutcome(for: key))
        #expect(stored.position == result.positions[1])
        #expect(stored.outcome == Data(#"{"ok":true}"#.utf8) && stored.requestHash == "h1")
        #expect(
            try await store.storedOutcome(for: IdempotencyKey(principal: "user-2", key: key.key)) == nil,
            "keys are scoped to their principal")
    }

    @Test func aTakenKeyRollsBackTheEvents() async throws {
        let store = try await TestDatabase.store()
        let key = IdempotencyKey(principal: "user-1", key: UUID().uuidString)
        let write = IdempotencyWrite(key: key, lastEventIndex: 0, outcome: Data("{}".utf8), requestHash: "h")
        _ = try await store.append(
            [StreamWrite(streamId: TestDatabase.uniqueStream("idem"), expected: .noStream, events: [event()])],
            idempotency: [write])
        let second = TestDatabase.uniqueStream("idem")
        await #expect(throws: EventStoreError.self) {
            try await store.append([StreamWrite(streamId: second, expected: .noStream, events: [event()])], idempotency: [write])
        }
        #expect(try await store.readStream(second, after: 0).isEmpty)
    }
}
