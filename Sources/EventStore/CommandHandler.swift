import Commands
import Foundation
import Synchronization

/// What a command produced: the caller's view, the events recorded, and where they landed.
public struct CommandResult<D: Decider>: Sendable {
    /// The aggregate's answer (e.g. the booking as it now stands).
    public var outcome: D.Outcome
    /// Events recorded for this command; empty for an idempotent no-op.
    public var events: [D.Event]
    /// Global position of the command's last event, or of the stream's last event for a no-op.
    public var position: Int64
}

/// An idempotency key to store with a command's events; it remembers the command's outcome.
public struct IdempotencyRequest: Sendable {
    public var key: IdempotencyKey
    /// Fingerprint of the request, so a different request under the same key can be refused.
    public var requestHash: String

    public init(key: IdempotencyKey, requestHash: String) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// An event a command handler knows to be committed: its own appends once acknowledged, and what it
/// read from the stream. Told in version order per stream (each stream's worker is one actor).
public struct CommittedEvent<Event: Sendable>: Sendable {
    public var event: Event
    public var version: Int
    public var position: Int64
}

/// Failures of command handling that are not domain decisions.
public enum CommandError: Error, Equatable, Sendable {
    /// Optimistic retries ran out: the stream is too contended right now.
    case overloaded(retryAfterSeconds: Int)
    /// The append was cut off (a time-out, a connection lost at `COMMIT`) and the log does not yet say
    /// whether it committed: it may still. The caller can look the command's result up later.
    case outcomeUnknown
}

/// How hard to retry a lost optimistic race before answering `overloaded`.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var maxJitterMilliseconds: Int
    /// Most commands decided and appended together in one batch.
    public var maxBatch: Int
    /// Longest one read or append of a stream may take before its outcome is treated as unknown.
    public var databaseTimeout: Duration

    public init(
        maxAttempts: Int = 12, maxJitterMilliseconds: Int = 40, maxBatch: Int = 128,
        databaseTimeout: Duration = .seconds(10)
    ) {
        self.maxAttempts = maxAttempts
        self.maxJitterMilliseconds = maxJitterMilliseconds
        self.maxBatch = maxBatch
        self.databaseTimeout = databaseTimeout
    }
}

/// Load – decide – append – retry for one aggregate type.
///
/// Commands for the same stream queue on one `StreamWorker`, which decides them in batches against
/// its cached `(state, version)` and appends each batch in one statement. Within a process, that
/// removes version races on a hot stream; across processes the `(stream_id, version)` constraint
/// still decides, and the loser reloads and decides again.
public final class CommandHandler<D: Decider>: Sendable {
    let store: any EventStore
    let policy: RetryPolicy
    let clock: @Sendable () -> Date
    /// Most streams whose state stays cached; past it the least recently used are forgotten.
    let cacheLimit: Int
    /// Hears every event this handler learns is committed (a gateway's live read models).
    let onCommitted: (@Sendable (String, [CommittedEvent<D.Event>]) -> Void)?
    /// Retries and group-commit figures, for the KPIs.
    public let statistics = CommandStatistics()
    private let workers = Mutex(WorkerCache<D>())

    public init(
        store: any EventStore, policy: RetryPolicy = RetryPolicy(), cacheLimit: Int = 20_000,
        clock: @escaping @Sendable () -> Date = { Date() },
        onCommitted: (@Sendable (String, [CommittedEvent<D.Event>]) -> Void)? = nil
    ) {
        self.store = store
        self.policy = policy
        self.cacheLimit = max(cacheLimit, 1)
        self.clock = clock
        self.onCommitted = onCommitted
    }

    /// How many streams are cached (for tests and metrics).
    public var cachedStreams: Int { workers.withLock { $0.workers.count } }

    /// Decides `command` against the current state of `streamId` and records its events.
    public func execute(
        _ command: D.Command, on streamId: String, metadata: EventMetadata,
        idempotency: IdempotencyRequest? = nil
    ) async throws -> CommandResult<D> {
        try await worker(for: streamId).submit(command, metadata: metadata, idempotency: idempotency)
    }

    /// The current state of a stream (read through to the store) and its version.
    public func state(of streamId: String) async throws -> (state: D.State, version: Int) {
        let latest = try await worker(for: streamId).current()
        return (latest.state, latest.version)
    }

    /// The current state of a stream (read through to the store), its version and its last event's position.
    public func latest(of streamId: String) async throws -> (state: D.State, version: Int, position: Int64) {
        try await worker(for: streamId).current()
    }

    private func worker(for streamId: String) -> StreamWorker<D> {
        workers.withLock { cache in
            cache.tick += 1
            if let entry = cache.workers[streamId] {
                cache.workers[streamId] = (entry.worker, cache.tick)
                return entry.worker
            }
            if cache.workers.count >= cacheLimit {
                // Forgetting a worker never breaks correctness: a new one reloads from the log, and if an
                // old one is still finishing, the (stream, version) constraint settles any overlap.
                let excess = cache.workers.count - cacheLimit + max(cacheLimit / 10, 1)
                for (id, _) in cache.workers.sorted(by: { $0.value.lastUse < $1.value.lastUse }).prefix(excess) {
                    cache.workers[id] = nil
                }
            }
            let worker = StreamWorker<D>(
                streamId: streamId, store: store, policy: policy, statistics: statistics,
                clock: clock, onCommitted: onCommitted)
            cache.workers[streamId] = (worker, cache.tick)
            return worker
        }
    }
}

/// Stream workers by stream id, with a use counter for least-recently-used eviction.
struct WorkerCache<D: Decider> {
    var workers: [String: (worker: StreamWorker<D>, lastUse: UInt64)] = [:]
    var tick: UInt64 = 0
}
