import EventStore
import Foundation

/// The real store with a hook on appends and on global reads, for tests that need an acknowledgement
/// to arrive late or a batch to come back in another order.
public struct InterceptingEventStore: EventStore {
    public let inner: PostgresEventStore
    let afterAppend: @Sendable () async throws -> Void
    let reorderReads: @Sendable ([StoredEvent]) -> [StoredEvent]
    let afterStreamRead: @Sendable () async -> Void

    public init(
        _ inner: PostgresEventStore, afterAppend: @escaping @Sendable () async throws -> Void = {},
        reorderReads: @escaping @Sendable ([StoredEvent]) -> [StoredEvent] = { $0 },
        afterStreamRead: @escaping @Sendable () async -> Void = {}
    ) {
        self.inner = inner
        self.afterAppend = afterAppend
        self.reorderReads = reorderReads
        self.afterStreamRead = afterStreamRead
    }

    public func append(_ writes: [StreamWrite], idempotency: [IdempotencyWrite]) async throws -> AppendResult {
        let result = try await inner.append(writes, idempotency: idempotency)
        try await afterAppend()
        return result
    }
    public func readAll(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> [StoredEvent] {
        reorderReads(try await inner.readAll(after: checkpoint, limit: limit, types: types))
    }
    public func readBatch(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> EventBatch {
        var batch = try await inner.readBatch(after: checkpoint, limit: limit, types: types)
        batch.events = reorderReads(batch.events)
        return batch
    }
    public func readStream(_ streamId: String, after version: Int) async throws -> [StoredEvent] {
        let events = try await inner.readStream(streamId, after: version)
        await afterStreamRead()
        return events
    }
    public func checkpoint(at position: Int64) async throws -> Checkpoint? { try await inner.checkpoint(at: position) }
    public func lookup(_ index: EventIndex, _ value: String) async throws -> StoredEvent? { try await inner.lookup(index, value) }
    public func storedOutcome(for key: IdempotencyKey) async throws -> StoredOutcome? { try await inner.storedOutcome(for: key) }
    public func serverKey(named name: String) async throws -> [UInt8] { try await inner.serverKey(named: name) }
    public func headPosition() async throws -> Int64 { try await inner.headPosition() }
    public func latestCheckpoint() async throws -> Checkpoint { try await inner.latestCheckpoint() }
    public func hasEvents(after checkpoint: Checkpoint, through target: Checkpoint, types: [String]) async throws -> Bool {
        try await inner.hasEvents(after: checkpoint, through: target, types: types)
    }
    public func backlog(after checkpoint: Checkpoint, types: [String]?) async throws -> (events: Int, oldest: Date?) {
        try await inner.backlog(after: checkpoint, types: types)
    }
}
