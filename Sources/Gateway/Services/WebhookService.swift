import Commands
import EventStore
import Foundation
import Webhooks

/// Webhook registrations (events in `webhook-<id>` streams, appended here) and their deliveries (the
/// delivery worker's queue), for the admin routes.
struct WebhookService: Sendable {
    let store: any EventStore
    /// Nil where no queue is wired (in-process test routers): delivery routes answer 503.
    let queue: (any WebhookQueue)?
    let targets: WebhookTargets

    /// At most this many event types per registration.
    static let maxEventTypes = 64
    /// A caller's secret: long enough to resist guessing, short enough to bound the log.
    static let secretLength = 16...256

    /// Checks a registration request; answers the normalised event list.
    func validate(url: String, events: [String], secret: String?) throws -> [String] {
        do {
            try targets.check(url: url)
        } catch let refused as WebhookTargets.Refused {
            throw APIError.webhookTargetRefused(refused.reason)
        }
        guard !events.isEmpty, events.count <= Self.maxEventTypes else {
            throw APIError.invalidRequest("events must list 1 to \(Self.maxEventTypes) event types (or \"*\")")
        }
        let deliverable = Set(EventType.allCases.map(\.rawValue)).subtracting(WebhookEvent.typeNames)
        if let unknown = events.first(where: { $0 != "*" && !deliverable.contains($0) }) {
            throw APIError.invalidRequest("events: \(unknown.prefix(64)) is not an event type that can be delivered")
        }
        if let secret, !Self.secretLength.contains(secret.count) {
            throw APIError.invalidRequest("secret must be \(Self.secretLength.lowerBound) to \(Self.secretLength.upperBound) characters")
        }
        return Array(Set(events)).sorted()
    }

    /// Appends the registration; answers its position. The idempotency key remembers it without the secret.
    func register(_ registration: WebhookRegistered, metadata: EventMetadata, idempotency: IdempotencyRequest?) async throws -> Int64 {
        let event = NewEvent(
            type: EventType.webhookRegistered.rawValue, data: try WebhookEvent.registered(registration).encodedData(), metadata: metadata)
        var remembered = registration
        remembered.secret = ""
        let keys = try idempotency.map { request in
            [
                IdempotencyWrite(
                    key: request.key, lastEventIndex: 0, outcome: try EventJSON.encoder.encode(remembered), requestHash: request.requestHash)
            ]
        }
        let result = try await store.append(
            [StreamWrite(streamId: Streams.webhook(registration.webhookId), expected: .noStream, events: [event])], idempotency: keys ?? [])
        return result.positions[0]
    }

    /// A registration as its stream says, with when it was removed.
    func webhook(_ id: String) async throws -> (registration: WebhookRegistered, removedAt: Date?, version: Int)? {
        let events = try await store.readStream(Streams.webhook(id), after: 0)
        var found: (WebhookRegistered, Date?, Int)?
        for event in events {
            switch try WebhookEvent.decode(type: event.type, data: event.data) {
            case .registered(let registration): found = (registration, nil, event.version)
            case .removed(let removal): found?.1 = removal.removedAt
            case nil: break
            }
            found?.2 = event.version
        }
        return found
    }

    /// Most webhooks `GET /webhooks` lists.
    static let maxListed = 1_000

    /// Every registration not removed, in the order registered, each as its own stream says now. With the
    /// queue, the ids come straight from the committed log, so a registration is listed the moment it was
    /// answered; without it (in-process test routers), from the gap-safe read.
    func webhooks() async throws -> [WebhookRegistered] {
        let ids: [String]
        if let queue {
            ids = try await queue.registeredWebhookIds(limit: Self.maxListed)
        } else {
            ids = try await registeredInGapSafeOrder()
        }
        var current: [WebhookRegistered] = []
        for id in ids {
            if let found = try await webhook(id), found.removedAt == nil { current.append(found.registration) }
        }
        return current
    }

    private func registeredInGapSafeOrder() async throws -> [String] {
        var checkpoint = Checkpoint.start
        var ids: [String] = []
        while ids.count < Self.maxListed {
            let events = try await store.readAll(after: checkpoint, limit: 1_000, types: [EventType.webhookRegistered.rawValue])
            for event in events {
                if case .registered(let registration)? = try WebhookEvent.decode(type: event.type, data: event.data) {
                    ids.append(registration.webhookId)
                }
            }
            guard let last = events.last, events.count == 1_000 else { break }
            checkpoint = last.checkpoint
        }
        return Array(ids.prefix(Self.maxListed))
    }

    /// Appends the removal; nil when there is no such webhook or it is already removed.
    func remove(_ id: String, now: Date, metadata: EventMetadata) async throws -> Int64? {
        guard let current = try await webhook(id), current.removedAt == nil else { return nil }
        let event = NewEvent(
            type: EventType.webhookRemoved.rawValue, data: try WebhookEvent.removed(WebhookRemoved(webhookId: id, removedAt: now)).encodedData(),
            metadata: metadata)
        do {
            let result = try await store.append(
                [StreamWrite(streamId: Streams.webhook(id), expected: .exact(current.version), events: [event])], idempotency: [])
            return result.positions[0]
        } catch EventStoreError.wrongExpectedVersion {
            // Removed by a concurrent request.
            return nil
        }
    }

    func deliveryQueue() throws -> any WebhookQueue {
        guard let queue else { throw EventStoreError.unavailable("no webhook queue in this process") }
        return queue
    }
}
