import Commands
import EventStore
import Foundation

/// The state of one delivery: one event to one endpoint.
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    case pending, delivered, failed
}

/// A delivery as the admin sees it.
public struct Delivery: Codable, Equatable, Sendable {
    public var webhookId: String
    /// The event's log position: also the idempotency id the receiver de-duplicates by.
    public var position: Int64
    public var streamId: String
    public var version: Int
    public var eventType: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var lastError: String?
    /// HTTP status of the last answer, when there was one.
    public var lastStatus: Int?
    /// When the next attempt is due (pending only).
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var createdAt: Date
}

/// An event the worker found for an endpoint, to enqueue.
public struct NewDelivery: Sendable, Equatable {
    public var webhookId: String
    public var position: Int64
    public var streamId: String
    public var version: Int
    public var eventType: String
}

/// The delivery at the head of an endpoint's queue, with what sending it needs.
public struct DueDelivery: Sendable {
    public var webhookId: String
    public var url: String
    public var secret: String
    public var position: Int64
    public var streamId: String
    public var version: Int
    public var eventType: String
    /// The event's payload as stored (JSON).
    public var data: Data
    public var recordedAt: Date
    public var attempts: Int
    /// How long until it is due (zero when due now).
    public var wait: Duration
}

/// What one step of the worker commits together: registrations it met, deliveries it found, and how far it read.
public struct EnqueueStep: Sendable {
    public var registered: [WebhookRegistered] = []
    public var removed: [String] = []
    public var deliveries: [NewDelivery] = []
    public var checkpoint: Checkpoint
}

/// The webhooks' durable state: registrations as the worker has followed them, and the deliveries.
public protocol WebhookQueue: Sendable {
    /// The registrations not removed, as of the worker's checkpoint.
    func activeRegistrations() async throws -> [WebhookRegistered]
    /// How far the worker has read the log.
    func checkpoint() async throws -> Checkpoint
    /// Records a step: registrations, deliveries (each at most once) and the checkpoint, in one transaction.
    func commit(_ step: EnqueueStep, owner: String) async throws
    /// Endpoints (not removed) with a pending delivery.
    func endpointsWithPendingDeliveries() async throws -> [String]
    /// The lowest pending position of an endpoint: per-endpoint order keeps every stream's order.
    func head(of webhookId: String) async throws -> DueDelivery?
    /// Marks a delivery delivered.
    func delivered(webhookId: String, position: Int64, status: Int) async throws
    /// Records a failed attempt: failed for good when older than `maxAge`, else due again after `retryIn`.
    func attemptFailed(
        webhookId: String, position: Int64, error: String, status: Int?, retryIn: Duration, maxAge: Duration
    ) async throws -> DeliveryStatus
    /// An endpoint's deliveries by position, after `position` when given, optionally of one status.
    func deliveries(of webhookId: String, status: DeliveryStatus?, after position: Int64?, limit: Int) async throws -> [Delivery]
    /// Puts a failed or delivered delivery back in the queue, due now, its age counted from now.
    func retry(webhookId: String, position: Int64) async throws -> RetryResult
    /// The ids of every webhook ever registered, in log order, as soon as each registration committed.
    func registeredWebhookIds(limit: Int) async throws -> [String]
    /// Deliveries per status, for metrics.
    func counts() async throws -> [DeliveryStatus: Int]
}

/// What asking for a retry found.
public enum RetryResult: Sendable, Equatable {
    case requeued(Delivery)
    case notFound
    case alreadyPending
}
