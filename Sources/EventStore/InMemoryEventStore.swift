import Commands
import Foundation
import Synchronization

/// The event log in memory, for unit tests of deciders and the command handler: the same contract as
/// `PostgresEventStore` (atomic multi-stream appends, the version guard, idempotency keys in the same
/// append), without a database. Every append is one "transaction", committed at once, so the gap-safe
/// order is simply the append order.
public final class InMemoryEventStore: EventStore {
    private struct State {
        var events: [StoredEvent] = []
        var versions: [String: Int] = [:]
        var keys: [IdempotencyKey: StoredOutcome] = [:]
        var serverKeys: [String: [UInt8]] = [:]
        var transactions: UInt64 = 0
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    public func append(_ writes: [StreamWrite], idempotency: [IdempotencyWrite]) async throws -> AppendResult {
        let now = clock()
        return try state.withLock { state in
            var versions = state.versions
            for write in writes {
                let current = versions[write.streamId] ?? 0
                switch write.expected {
                case .any: break
                case .noStream: guard current == 0 else { throw EventStoreError.wrongExpectedVersion(streamId: write.streamId) }
                case .exact(let expected): guard current == expected else { throw EventStoreError.wrongExpectedVersion(streamId: write.streamId) }
                }
                versions[write.streamId] = current + write.events.count
            }
            var keys = Set<IdempotencyKey>()
            if let taken = idempotency.first(where: { state.keys[$0.key] != nil || !keys.insert($0.key).inserted }) {
                throw EventStoreError.idempotencyKeyTaken(key: taken.key.key)
            }
            state.transactions += 1
            var appended: [StoredEvent] = []
            var newVersions: [Int] = []
            var position = state.events.last?.position ?? 0
            for write in writes {
                var version = state.versions[write.streamId] ?? 0
                for event in write.events {
                    position += 1
                    version += 1
                    appended.append(
                        StoredEvent(
                            position: position, streamId: write.streamId, version: version, type: event.type,
                            data: event.data, metadata: event.metadata, transactionId: state.transactions,
                            recordedAt: now))
                }
                newVersions.append(version)
                state.versions[write.streamId] = version
            }
            state.events += appended
            for key in idempotency {
                state.keys[key.key] = StoredOutcome(
                    outcome: key.outcome, position: appended[key.lastEventIndex].position,
                    requestHash: key.requestHash)
            }
            return AppendResult(positions: appended.map(\.position), versions: newVersions)
        }
    }

    public func readStream(_ streamId: String, after version: Int) async throws -> [StoredEvent] {
        state.withLock { $0.events.filter { $0.streamId == streamId && $0.version > version } }
    }

    public func readAll(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> [StoredEvent] {
        try await readBatch(after: checkpoint, limit: limit, types: types).events
    }

    public func readBatch(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> EventBatch {
        state.withLock { state in
            let wanted = types.map(Set.init)
            let events = Array(state.events.lazy.filter { $0.checkpoint > checkpoint && (wanted?.contains($0.type) ?? true) }.prefix(limit))
            let through = events.count == limit && limit > 0 ? events.last!.checkpoint : max(checkpoint, state.events.last?.checkpoint ?? .start)
            return EventBatch(events: events, through: through)
        }
    }

    public func checkpoint(at position: Int64) async throws -> Checkpoint? {
        state.withLock { $0.events.first { $0.position >= position }?.checkpoint }
    }

    public func lookup(_ index: EventIndex, _ value: String) async throws -> StoredEvent? {
        let (types, field): ([EventType], String) =
            switch index {
            case .bookingId: ([.bookingPlaced, .seatsOffered], "bookingId")
            case .tokenHash: ([.userRegistered, .scannerCreated], "tokenHash")
            case .ticketId: ([.ticketIssued], "ticketId")
            }
        return state.withLock { state in
            state.events.first { event in
                guard types.contains(where: { $0.rawValue == event.type }),
                    let object = try? JSONSerialization.jsonObject(with: event.data) as? [String: Any]
                else { return false }
                return object[field] as? String == value
            }
        }
    }

    public func storedOutcome(for key: IdempotencyKey) async throws -> StoredOutcome? {
        state.withLock { $0.keys[key] }
    }

    public func serverKey(named name: String) async throws -> [UInt8] {
        state.withLock { state in
            if let key = state.serverKeys[name] { return key }
            var random = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
            state.serverKeys[name] = key
            return key
        }
    }

    public func headPosition() async throws -> Int64 {
        state.withLock { $0.events.last?.position ?? 0 }
    }

    public func latestCheckpoint() async throws -> Checkpoint {
        state.withLock { $0.events.map(\.checkpoint).max() ?? .start }
    }

    public func hasEvents(after checkpoint: Checkpoint, through target: Checkpoint, types: [String]) async throws -> Bool {
        state.withLock { $0.events.contains { $0.checkpoint > checkpoint && $0.checkpoint <= target && types.contains($0.type) } }
    }

    public func backlog(after checkpoint: Checkpoint, types: [String]?) async throws -> (events: Int, oldest: Date?) {
        state.withLock { state in
            let pending = state.events.filter { $0.checkpoint > checkpoint && (types?.contains($0.type) ?? true) }
            return (pending.count, pending.first?.recordedAt)
        }
    }
}
