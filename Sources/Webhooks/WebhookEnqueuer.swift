import Commands
import EventStore
import Foundation
import Logging

/// Follows the log with the store's gap-safe batch read and turns each event an endpoint asked for into a
/// delivery row, committed with the checkpoint: across a crash an event is enqueued exactly once.
/// Registrations are read from the same log, so an endpoint gets the events after its registration.
struct WebhookEnqueuer: Sendable {
    let events: any EventStore
    let queue: any WebhookQueue
    let owner: String
    let batchSize: Int

    /// The endpoints as of `checkpoint`, kept between steps.
    struct Position: Sendable {
        var checkpoint: Checkpoint
        var endpoints: [String: WebhookRegistered]
    }

    func start() async throws -> Position {
        let endpoints = try await queue.activeRegistrations()
        return Position(checkpoint: try await queue.checkpoint(), endpoints: Dictionary(uniqueKeysWithValues: endpoints.map { ($0.webhookId, $0) }))
    }

    /// The types to read: the registrations' own and what the endpoints asked for (nil: every type).
    static func types(_ endpoints: some Sequence<WebhookRegistered>) -> [String]? {
        var types = Set(WebhookEvent.typeNames)
        for endpoint in endpoints {
            if endpoint.events.contains("*") { return nil }
            types.formUnion(endpoint.events)
        }
        return types.sorted()
    }

    /// One batch; answers the new position and whether the log may hold more. A batch with nothing to
    /// enqueue moves the checkpoint in memory and commits that move only when `commitIdle`, so other
    /// streams' appends do not each cost a write.
    func step(_ position: Position, commitIdle: Bool = true) async throws -> (Position, more: Bool, enqueued: Bool) {
        let batch = try await events.readBatch(after: position.checkpoint, limit: batchSize, types: Self.types(position.endpoints.values))
        var next = position
        var step = EnqueueStep(checkpoint: batch.through)
        var cut = false
        for event in batch.events {
            if let change = try WebhookEvent.decode(type: event.type, data: event.data) {
                switch change {
                case .registered(let registration):
                    next.endpoints[registration.webhookId] = registration
                    step.registered.append(registration)
                case .removed(let removal):
                    next.endpoints[removal.webhookId] = nil
                    step.removed.append(removal.webhookId)
                }
                // The set of types to read changed: later events of this batch were read with the old one,
                // so stop here and read on from this event with the new set.
                step.checkpoint = event.checkpoint
                cut = true
                break
            }
            for endpoint in next.endpoints.values where endpoint.wants(event.type) {
                step.deliveries.append(
                    NewDelivery(
                        webhookId: endpoint.webhookId, position: event.position, streamId: event.streamId, version: event.version,
                        eventType: event.type))
            }
        }
        guard step.checkpoint > position.checkpoint else { return (position, false, false) }
        try Task.checkCancellation()
        let idle = step.registered.isEmpty && step.removed.isEmpty && step.deliveries.isEmpty
        if !idle || commitIdle { try await queue.commit(step, owner: owner) }
        next.checkpoint = step.checkpoint
        return (next, cut || batch.events.count >= batchSize, !step.deliveries.isEmpty)
    }
}
