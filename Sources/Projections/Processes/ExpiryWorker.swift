import Commands
import EventStore
import Foundation
import Logging
import ServiceLifecycle

/// Expires due holds within about a second of their deadline, so seat maps and booking lists show
/// them `AVAILABLE` / `EXPIRED` even when nobody asks for those seats.
///
/// It finds candidates through the bookings read model and decides through the command handler,
/// so a confirm racing an expiry is settled by the stream version: exactly one wins. Several workers
/// may run at once: the loser's decision is a no-op, never an error.
public struct ExpiryWorker: Service {
    let sessions: CommandHandler<SessionDecider>
    let readModels: ReadModelQueries
    let clock: @Sendable () -> Date
    let workerId: String
    let logger: Logger
    let interval: Duration
    let keyCleanup: KeyCleanup?

    /// Forgets idempotency keys past their retention (the other table that would only grow).
    public struct KeyCleanup: Sendable {
        public var retention: IdempotencyRetention
        /// Deletes at most `limit` keys older than the given age; answers how many it deleted.
        public var delete: @Sendable (_ olderThan: Duration, _ limit: Int) async throws -> Int

        public init(retention: IdempotencyRetention, delete: @escaping @Sendable (Duration, Int) async throws -> Int) {
            self.retention = retention
            self.delete = delete
        }
    }

    public init(
        sessions: CommandHandler<SessionDecider>, documents: any DocumentStore, workerId: String, logger: Logger,
        interval: Duration = .milliseconds(250), clock: @escaping @Sendable () -> Date = { Date() },
        keyCleanup: KeyCleanup? = nil
    ) {
        self.sessions = sessions
        self.readModels = ReadModelQueries(documents: documents)
        self.workerId = workerId
        self.logger = logger
        self.interval = interval
        self.clock = clock
        self.keyCleanup = keyCleanup
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var nextCleanup = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    let expired = try await sweep()
                    if expired > 0 { logger.debug("expired holds", metadata: ["holds.expired": "\(expired)"]) }
                    if let keyCleanup, ContinuousClock.now >= nextCleanup {
                        nextCleanup = ContinuousClock.now + keyCleanup.retention.every
                        let deleted = try await cleanUpKeys()
                        if deleted > 0 { logger.debug("deleted idempotency keys", metadata: ["idempotency.deleted": "\(deleted)"]) }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("expiry sweep failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Deletes every idempotency key past its retention, in batches; answers how many.
    @discardableResult
    public func cleanUpKeys() async throws -> Int {
        guard let keyCleanup else { return 0 }
        let batch = 5_000
        var total = 0
        while true {
            let deleted = try await keyCleanup.delete(keyCleanup.retention.keepFor, batch)
            total += deleted
            if deleted < batch || Task.isCancelled { return total }
        }
    }

    /// One pass: expires every due hold the read model knows of; returns how many it recorded.
    @discardableResult
    public func sweep() async throws -> Int {
        let due = try await readModels.dueHolds(at: clock(), limit: 500)
        guard !due.isEmpty else { return 0 }
        let correlation = "expiry-\(UUID().uuidString.lowercased())"
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for booking in due {
                group.addTask {
                    let metadata = EventMetadata(
                        correlationId: correlation, causationId: "booking:\(booking.id)",
                        gatewayId: workerId)
                    let result = try await sessions.execute(
                        .expire(bookingId: booking.id), on: Streams.session(booking.sessionId),
                        metadata: metadata)
                    return result.events.count
                }
            }
            return try await group.reduce(0, +)
        }
    }
}
