import Foundation

/// Fields of event payloads that the store indexes for point look-ups.
public enum EventIndex: Sendable {
    /// `BookingPlaced.bookingId` and `SeatsOffered.bookingId`: which session stream holds a booking or an offer.
    case bookingId
    /// `UserRegistered.tokenHash` and `ScannerCreated.tokenHash`: whose bearer token it is.
    case tokenHash
    /// `TicketIssued.ticketId`: which session stream holds a ticket.
    case ticketId
}

/// The append-only event log: the single source of truth of the system.
public protocol EventStore: Sendable {
    /// Appends all writes atomically, each stream checked against its expected version, storing the
    /// idempotency keys in the same transaction. Throws `EventStoreError.wrongExpectedVersion` when a
    /// stream moved, `.idempotencyKeyTaken` when a concurrent request stored the same key.
    func append(_ writes: [StreamWrite], idempotency: [IdempotencyWrite]) async throws -> AppendResult
    /// Events of one stream with a version above `version`, in order.
    func readStream(_ streamId: String, after version: Int) async throws -> [StoredEvent]
    /// Up to `limit` committed events after `checkpoint` in gap-safe commit order, optionally only of `types`.
    func readAll(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> [StoredEvent]
    /// Like `readAll`, and says up to where the read was complete (see `EventBatch.through`).
    func readBatch(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> EventBatch
    /// The reader checkpoint of the first committed event at or after a global position (a position a
    /// rolled-back insert left empty is reflected once the next existing event is), nil when there is none.
    func checkpoint(at position: Int64) async throws -> Checkpoint?
    /// The first event whose indexed field equals `value`.
    func lookup(_ index: EventIndex, _ value: String) async throws -> StoredEvent?
    /// This deployment's secret key called `name` (32 random bytes), made the first time any process asks.
    func serverKey(named name: String) async throws -> [UInt8]
    /// The outcome stored for an idempotency key, if any.
    func storedOutcome(for key: IdempotencyKey) async throws -> StoredOutcome?
    /// The highest assigned global position (0 when empty).
    func headPosition() async throws -> Int64
    /// The reader checkpoint of the last committed event in reader order, ignoring the horizon of open
    /// transactions that `readBatch` keeps to: every event committed so far lies at or before it.
    func latestCheckpoint() async throws -> Checkpoint
    /// Whether any committed event of `types` lies after `checkpoint` and at or before `target` in reader order.
    func hasEvents(after checkpoint: Checkpoint, through target: Checkpoint, types: [String]) async throws -> Bool
    /// How many committed events lie after `checkpoint`, and when the oldest of them was recorded.
    func backlog(after checkpoint: Checkpoint, types: [String]?) async throws -> (events: Int, oldest: Date?)
}

extension EventStore {
    /// Every type, up to `limit` events.
    public func readAll(after checkpoint: Checkpoint, limit: Int) async throws -> [StoredEvent] {
        try await readAll(after: checkpoint, limit: limit, types: nil)
    }
}
