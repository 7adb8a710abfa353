import AsyncHTTPClient
import EventStore
import Foundation
import Logging
import PostgresNIO
import Projections
import ServiceLifecycle
import Synchronization

/// The delivery worker: follows the log into the queue and runs one sender per endpoint with pending
/// deliveries. Both run only while this process holds the `webhooks` lease (the projections' kind), so
/// two workers never send the same queue; when this process dies, a standby takes over where the
/// checkpoint and the queue say.
public struct WebhookWorker: Service {
    let events: any EventStore
    let queue: any WebhookQueue
    let client: PostgresClient
    let settings: WebhookSettings
    let owner: String
    let logger: Logger
    let batchSize: Int

    public init(
        events: any EventStore, queue: any WebhookQueue, client: PostgresClient, settings: WebhookSettings, owner: String, logger: Logger,
        batchSize: Int = 500
    ) {
        self.events = events
        self.queue = queue
        self.client = client
        self.settings = settings
        self.owner = owner
        var logger = logger
        logger[metadataKey: "projection"] = "webhooks"
        self.logger = logger
        self.batchSize = batchSize
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        // A redirect could lead anywhere, past the target check.
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(
            connect: .milliseconds(Int64(settings.timeout.seconds * 1_000)), read: .milliseconds(Int64(settings.timeout.seconds * 1_000)))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let lease = LogLease(name: "webhooks", client: client, logger: logger, owner: owner)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await lease.lead { woken in try await lead(woken, http: http) }
                } catch is CancellationError {
                    break
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("webhook worker interrupted; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        try? await http.shutdown()
    }

    private func lead(_ woken: WakeFlag, http: HTTPClient) async throws {
        // Raised by the enqueuer when it queued deliveries, so senders start at once without polling fast.
        let queued = WakeFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await enqueue(woken, queued: queued) }
            group.addTask { try await dispatch(http, queued: queued) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Moves the queue along the log whenever woken or every poll interval.
    private func enqueue(_ woken: WakeFlag, queued: WakeFlag) async throws {
        let enqueuer = WebhookEnqueuer(events: events, queue: queue, owner: owner, batchSize: batchSize)
        var position = try await withDeadline(.seconds(10)) { try await enqueuer.start() }
        var idle = Duration.zero
        let tick = Duration.milliseconds(5)
        let clock = ContinuousClock()
        // A checkpoint move past nothing to enqueue is written at most once a second: a restart re-reads
        // that stretch and finds nothing again.
        var idleCommittedAt = clock.now
        while true {
            try Task.checkCancellation()
            if woken.take() != nil || idle >= settings.pollInterval {
                idle = .zero
                var more = true
                while more {
                    let current = position
                    let commitIdle = clock.now - idleCommittedAt >= .seconds(1)
                    let enqueued: Bool
                    (position, more, enqueued) = try await withDeadline(.seconds(10)) { try await enqueuer.step(current, commitIdle: commitIdle) }
                    if commitIdle { idleCommittedAt = clock.now }
                    if enqueued { queued.raise() }
                }
            }
            try await Task.sleep(for: tick)
            idle += tick
        }
    }

    /// Starts a sender for every endpoint with pending deliveries that has none running: when the enqueuer
    /// queued some, and every second for the admin's retries and for senders that stopped on an error.
    private func dispatch(_ http: HTTPClient, queued: WakeFlag) async throws {
        let running = RunningSenders()
        try await withThrowingDiscardingTaskGroup { group in
            var lastLook = ContinuousClock.now
            while true {
                try Task.checkCancellation()
                guard queued.take() != nil || ContinuousClock.now - lastLook >= .seconds(1) else {
                    try await Task.sleep(for: .milliseconds(20))
                    continue
                }
                lastLook = ContinuousClock.now
                let endpoints = try await withDeadline(.seconds(10)) { try await queue.endpointsWithPendingDeliveries() }
                for id in endpoints where running.start(id) {
                    let sender = WebhookSender(webhookId: id, queue: queue, http: http, settings: settings, logger: logger)
                    group.addTask {
                        defer { running.finish(id) }
                        do {
                            try await sender.run()
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch {
                            // The dispatcher starts it again on its next pass.
                            logger.warning("webhook sender stopped", metadata: ["webhook.id": "\(id)", "error": "\(error)"])
                        }
                    }
                }
            }
        }
    }
}

/// The endpoints whose sender is running, so each has at most one.
private final class RunningSenders: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// Whether a sender for `id` should start now (none was running).
    func start(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }

    func finish(_ id: String) { _ = ids.withLock { $0.remove(id) } }
}
