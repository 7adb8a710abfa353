import EventStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Runs one projection for as long as this process holds its lease.
///
/// The lease is a PostgreSQL session advisory lock on a dedicated connection: one process runs a
/// projection at a time, and when that process dies its connection closes, the lock is released and
/// a standby (polling every second) takes over. The same connection LISTENs for appends; a timer
/// polls as well, so a lost notification only delays.
public struct ProjectionRunner<Events: EventStore, Documents: DocumentStore>: Service {
    let projection: any Projection
    let events: Events
    let documents: Documents
    let client: PostgresClient
    let logger: Logger
    let owner: String
    let batchSize: Int
    let pollInterval: Duration
    /// Longest a catch-up pass or a lease check may take before the lease is given up and retaken.
    let stepLimit: Duration = .seconds(10)

    public init(projection: any Projection, events: Events, documents: Documents, client: PostgresClient, logger: Logger,
                owner: String, batchSize: Int = 1_000, pollInterval: Duration = .milliseconds(250)) {
        self.projection = projection
        self.events = events
        self.documents = documents
        self.client = client
        self.owner = owner
        self.batchSize = batchSize
        self.pollInterval = pollInterval
        var logger = logger
        logger[metadataKey: "projection"] = "\(projection.name)"
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await leadWhileHoldingLease()
                } catch is CancellationError {
                    return
                } catch {
                    // A shutdown ends the lease's LISTEN first, which surfaces as LeaseLost: not worth a warning.
                    if Task.isCancelled { return }
                    logger.warning("projection runner interrupted; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// The advisory lock key of a projection.
    static func lockKey(_ name: String) -> Int64 {
        Int64(bitPattern: name.utf8.reduce(UInt64(0x6b6f_6666_6f78_6f62)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
    }

    private func leadWhileHoldingLease() async throws {
        try await client.withConnection { connection in
            let key = Self.lockKey(projection.name)
            var acquired = false
            for try await locked in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) {
                acquired = locked
            }
            guard acquired else { return }
            logger.info("projection lease acquired", metadata: ["projection.owner": "\(owner)"])
            defer { logger.info("projection lease released") }
            // Unlocking a dead connection must not hang either; a dead session has released the lock anyway.
            let unlock: @Sendable () async -> Void = {
                _ = try? await withDeadline(.seconds(3)) { try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger) }
            }
            do {
                try await follow(connection)
            } catch {
                await unlock()
                throw error
            }
            await unlock()
        }
    }

    private func follow(_ connection: PostgresConnection) async throws {
        let woken = WakeFlag()
        try await connection.listen(on: PostgresEventStore.wakeUpChannel) { notifications in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in notifications { woken.raise() }
                    throw LeaseLost()
                }
                group.addTask { try await project(woken) }
                group.addTask {
                    // The lease is only as alive as its connection: prove it every second.
                    while true {
                        try await Task.sleep(for: .seconds(1))
                        try await withDeadline(.seconds(3)) {
                            _ = try await connection.query("SELECT 1", logger: logger)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private func project(_ woken: WakeFlag) async throws {
        // One cache per lease tenure: a runner that lost and retook its lease starts from the store again.
        let stepper = ProjectionStepper(projection: projection, events: events, documents: documents, owner: owner,
                                        batchSize: batchSize, logger: logger, cache: DocumentCache(),
                                        repairs: ProjectionRepairs(client: client, logger: logger))
        var generation = -1
        var checkpoint = Checkpoint.start
        var idle = Duration.zero
        let tick = Duration.milliseconds(5)
        let clock = ContinuousClock()
        // A rebuild's switch is noticed within a second; a commit into the old generation is refused
        // meanwhile (`StaleGeneration`), so asking on every wake bought nothing.
        var generationCheckedAt = clock.now
        // A projection none of whose events arrive still moves its checkpoint past the others' events, but
        // writes that move at most this often.
        var idleCommittedAt = clock.now
        while true {
            try Task.checkCancellation()
            if woken.take() || idle >= pollInterval {
                idle = .zero
                let name = projection.name
                var active = generation
                if generation < 0 || clock.now - generationCheckedAt >= .seconds(1) {
                    active = try await withDeadline(stepLimit) { try await documents.activeGeneration(projection: name) }
                    generationCheckedAt = clock.now
                }
                if active != generation {
                    // First pass, or a rebuild switched generations: continue from that generation's checkpoint.
                    generation = active
                    let switched = active
                    checkpoint = try await withDeadline(stepLimit) {
                        try await documents.checkpoint(projection: name, generation: switched).checkpoint
                    }
                }
                do {
                    let (from, current) = (checkpoint, generation)
                    let commitIdle = clock.now - idleCommittedAt >= pollInterval
                    // Bounded: a call on a connection that died mid-flight must not stall the projection.
                    let (next, applied) = try await withDeadline(stepLimit) {
                        try await stepper.catchUp(generation: current, from: from, commitIdle: commitIdle)
                    }
                    if commitIdle || applied > 0 { idleCommittedAt = clock.now }
                    checkpoint = next
                    if applied > 0 { logger.debug("projected", metadata: ["events": "\(applied)", "position": "\(checkpoint.position)"]) }
                } catch let stale as StaleGeneration {
                    logger.info("a rebuild switched generations; following it", metadata: ["generation": "\(stale.active)"])
                    generation = -1
                    woken.raise()
                }
            }
            try await Task.sleep(for: tick)
            idle += tick
        }
    }

    struct LeaseLost: Error {}
}

/// Set by the LISTEN task when an append was notified; taken by the projecting loop.
final class WakeFlag: Sendable {
    private let raised = Mutex(true)

    func raise() { raised.withLock { $0 = true } }

    /// Whether it was raised since the last take.
    func take() -> Bool {
        raised.withLock { was in
            defer { was = false }
            return was
        }
    }
}
