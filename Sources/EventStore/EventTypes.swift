import Foundation

/// Who and what caused an event; stored with every event for audit.
public struct EventMetadata: Codable, Equatable, Sendable {
    /// The request (or worker pass) that led to the event.
    public var correlationId: String
    /// The event or command that directly caused this one, when not a user request.
    public var causationId: String?
    /// The user the command acted for.
    public var userId: String?
    /// The `Idempotency-Key` the command came with.
    public var idempotencyKey: String?
    /// The process that appended it.
    public var gatewayId: String?

    public init(
        correlationId: String, causationId: String? = nil, userId: String? = nil,
        idempotencyKey: String? = nil, gatewayId: String? = nil
    ) {
        self.correlationId = correlationId
        self.causationId = causationId
        self.userId = userId
        self.idempotencyKey = idempotencyKey
        self.gatewayId = gatewayId
    }
}

/// An event to append: type name, JSON payload and metadata.
public struct NewEvent: Sendable {
    public var type: String
    public var data: Data
    public var metadata: EventMetadata

    public init(type: String, data: Data, metadata: EventMetadata) {
        self.type = type
        self.data = data
        self.metadata = metadata
    }
}

/// What the appender believes the stream's version is.
public enum ExpectedVersion: Equatable, Sendable {
    /// Append at the end whatever it is.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must be exactly at this version (0 = empty).
    case exact(Int)
}

/// Events for one stream in an append.
public struct StreamWrite: Sendable {
    public var streamId: String
    public var expected: ExpectedVersion
    public var events: [NewEvent]

    public init(streamId: String, expected: ExpectedVersion, events: [NewEvent]) {
        self.streamId = streamId
        self.expected = expected
        self.events = events
    }
}

/// An event as read back from the log.
public struct StoredEvent: Sendable, Equatable {
    /// Position in the global log (assigned at insert; commit order may differ, see `Checkpoint`).
    public var position: Int64
    public var streamId: String
    /// 1-based version within the stream.
    public var version: Int
    public var type: String
    public var data: Data
    public var metadata: EventMetadata
    /// The inserting transaction: readers order by `(transactionId, position)`.
    public var transactionId: UInt64
    public var recordedAt: Date

    public init(
        position: Int64, streamId: String, version: Int, type: String, data: Data,
        metadata: EventMetadata, transactionId: UInt64, recordedAt: Date
    ) {
        self.position = position
        self.streamId = streamId
        self.version = version
        self.type = type
        self.data = data
        self.metadata = metadata
        self.transactionId = transactionId
        self.recordedAt = recordedAt
    }

    /// The reader checkpoint just past this event.
    public var checkpoint: Checkpoint { Checkpoint(transactionId: transactionId, position: position) }
}

/// Where a global reader stands: the last `(transactionId, position)` it has consumed.
///
/// Ordering by the inserting transaction first makes the order gap-safe: every event of a
/// transaction that commits late sorts after what a reader could already have seen.
public struct Checkpoint: Codable, Comparable, Hashable, Sendable {
    public var transactionId: UInt64
    public var position: Int64

    public init(transactionId: UInt64, position: Int64) {
        self.transactionId = transactionId
        self.position = position
    }

    /// Before the first event.
    public static let start = Checkpoint(transactionId: 0, position: 0)

    public static func < (lhs: Checkpoint, rhs: Checkpoint) -> Bool {
        (lhs.transactionId, lhs.position) < (rhs.transactionId, rhs.position)
    }
}

/// A gap-safe read: events in commit order, and how far the read saw the whole log.
public struct EventBatch: Sendable {
    /// The events read, in `(transactionId, position)` order.
    public var events: [StoredEvent]
    /// Every committed event of the asked types after the read's start and up to here is in `events`:
    /// the last event when the batch is full, else the newest committed event of any type. A reader
    /// whose types matched nothing may still move its checkpoint here instead of rescanning.
    public var through: Checkpoint

    public init(events: [StoredEvent], through: Checkpoint) {
        self.events = events
        self.through = through
    }
}

/// The result of an append.
public struct AppendResult: Sendable {
    /// Global positions of the appended events, in the order given.
    public var positions: [Int64]
    /// The new version of each written stream, in the order given.
    public var versions: [Int]
}

/// Failures of the event store that callers act on.
public enum EventStoreError: Error, Equatable, Sendable {
    /// Another writer appended to the stream first (the `(stream_id, version)` guard).
    case wrongExpectedVersion(streamId: String)
    /// This idempotency key was stored by a concurrent request.
    case idempotencyKeyTaken(key: String)
    /// The database cannot be reached or answered with a connection failure.
    case unavailable(String)
    /// The connection failed after `COMMIT` was sent: the append may or may not have committed.
    case outcomeUnknown(String)
}
