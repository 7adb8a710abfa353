import Commands
import EventStore
import Foundation
import Synchronization
import Testing

@testable import Webhooks

/// The enqueuer on the in-memory log: which events become deliveries for which endpoint, without a database.
@Suite("Webhook enqueuer")
struct WebhookEnqueuerTests {
    /// Keeps what the enqueuer commits; nothing else is asked of it here.
    final class MemoryQueue: WebhookQueue {
        let state = Mutex<(checkpoint: Checkpoint, deliveries: [NewDelivery], registrations: [String: WebhookRegistered])>((.start, [], [:]))

        func activeRegistrations() async throws -> [WebhookRegistered] { state.withLock { Array($0.registrations.values) } }
        func checkpoint() async throws -> Checkpoint { state.withLock { $0.checkpoint } }
        func commit(_ step: EnqueueStep, owner: String) async throws {
            state.withLock { state in
                for registration in step.registered { state.registrations[registration.webhookId] = registration }
                for removed in step.removed { state.registrations[removed] = nil }
                state.deliveries += step.deliveries
                state.checkpoint = max(state.checkpoint, step.checkpoint)
            }
        }
        func endpointsWithPendingDeliveries() async throws -> [String] { [] }
        func head(of webhookId: String) async throws -> DueDelivery? { nil }
        func delivered(webhookId: String, position: Int64, status: Int) async throws {}
        func attemptFailed(
            webhookId: String, position: Int64, error: String, status: Int?, retryIn: Duration, maxAge: Duration
        ) async throws -> DeliveryStatus { .pending }
        func deliveries(of webhookId: String, status: DeliveryStatus?, after position: Int64?, limit: Int) async throws -> [Delivery] { [] }
        func retry(webhookId: String, position: Int64) async throws -> RetryResult { .notFound }
        func counts() async throws -> [DeliveryStatus: Int] { [:] }
        func registeredWebhookIds(limit: Int) async throws -> [String] { [] }

        var deliveries: [NewDelivery] { state.withLock { $0.deliveries } }
    }

    static let metadata = EventMetadata(correlationId: "test")

    static func append(_ store: InMemoryEventStore, _ stream: String, _ type: String, _ data: some Encodable) async throws {
        let event = NewEvent(type: type, data: try EventJSON.encoder.encode(data), metadata: metadata)
        _ = try await store.append([StreamWrite(streamId: stream, expected: .any, events: [event])], idempotency: [])
    }

    static func register(_ store: InMemoryEventStore, _ id: String, events: [String]) async throws {
        let registration = WebhookRegistered(webhookId: id, url: "https://example.com/\(id)", events: events, secret: "s", createdAt: Date())
        try await append(store, Streams.webhook(id), EventType.webhookRegistered.rawValue, registration)
    }

    static func run(_ enqueuer: WebhookEnqueuer) async throws {
        var position = try await enqueuer.start()
        var more = true
        while more { (position, more, _) = try await enqueuer.step(position) }
    }

    @Test func endpointsGetTheEventsTheyAskedForAfterTheirRegistrationAndNoneAfterRemoval() async throws {
        let store = InMemoryEventStore()
        let queue = MemoryQueue()
        let enqueuer = WebhookEnqueuer(events: store, queue: queue, owner: "test", batchSize: 2)
        let payload = ["bookingId": "bk_1"]
        try await Self.append(store, "session-a", "BookingPlaced", payload)  // before any registration: nobody gets it
        try await Self.register(store, "w1", events: ["BookingConfirmed"])
        // In the same batch as the registration: read with the old types, so the step must stop and re-read.
        try await Self.append(store, "session-a", "BookingConfirmed", payload)
        try await Self.register(store, "w2", events: ["*"])
        try await Self.append(store, "session-a", "BookingCancelled", payload)
        try await Self.append(store, "session-b", "BookingConfirmed", payload)
        try await Self.run(enqueuer)

        let byEndpoint = Dictionary(grouping: queue.deliveries, by: \.webhookId).mapValues { $0.map(\.eventType) }
        #expect(byEndpoint["w1"] == ["BookingConfirmed", "BookingConfirmed"])
        // `*` is every event after it except the webhooks' own (they hold secrets).
        #expect(byEndpoint["w2"] == ["BookingCancelled", "BookingConfirmed"])

        // Removal: nothing after it; a restarted enqueuer continues from the checkpoint without doubling.
        try await Self.append(store, Streams.webhook("w2"), EventType.webhookRemoved.rawValue, WebhookRemoved(webhookId: "w2", removedAt: Date()))
        try await Self.append(store, "session-c", "BookingConfirmed", payload)
        try await Self.run(WebhookEnqueuer(events: store, queue: queue, owner: "again", batchSize: 100))
        let after = Dictionary(grouping: queue.deliveries, by: \.webhookId).mapValues(\.count)
        #expect(after == ["w1": 3, "w2": 2])
        #expect(Set(queue.deliveries.map { "\($0.webhookId)/\($0.position)" }).count == queue.deliveries.count, "none enqueued twice")
    }

    @Test func theTypesReadAreTheEndpointsOwnPlusRegistrationsOrAll() {
        let one = WebhookRegistered(webhookId: "a", url: "https://x", events: ["BookingPlaced"], secret: "s", createdAt: Date())
        let all = WebhookRegistered(webhookId: "b", url: "https://x", events: ["*"], secret: "s", createdAt: Date())
        #expect(WebhookEnqueuer.types([]) == ["WebhookRegistered", "WebhookRemoved"])
        #expect(WebhookEnqueuer.types([one]) == ["BookingPlaced", "WebhookRegistered", "WebhookRemoved"])
        #expect(WebhookEnqueuer.types([one, all]) == nil)
        #expect(!all.wants("WebhookRegistered") && all.wants("UserRegistered") && !one.wants("BookingConfirmed"))
    }
}
