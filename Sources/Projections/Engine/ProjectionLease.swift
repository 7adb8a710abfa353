import EventStore
import Logging
import PostgresNIO

/// The lease: a session advisory lock on the runner's own connection, held while the runner projects.
extension ProjectionRunner {
    /// The advisory lock key of a projection.
    static func lockKey(_ name: String) -> Int64 { LogLease.lockKey(name) }

    func leadWhileHoldingLease() async throws {
        try await LogLease(name: projection.name, client: client, logger: logger, owner: owner).lead { woken in
            try await project(woken)
        }
    }

    struct LeaseLost: Error {}
}

/// One follower of the log per name across every process: a session advisory lock on a dedicated
/// connection, which also LISTENs for appends. Projection runners and the webhook delivery worker lead
/// through it, so they share one way of taking over when a process dies.
public struct LogLease: Sendable {
    let name: String
    let client: PostgresClient
    let logger: Logger
    let owner: String

    public init(name: String, client: PostgresClient, logger: Logger, owner: String) {
        self.name = name
        self.client = client
        self.logger = logger
        self.owner = owner
    }

    /// The advisory lock key of a name.
    static func lockKey(_ name: String) -> Int64 {
        Int64(bitPattern: name.utf8.reduce(UInt64(0x6b6f_6666_6f78_6f62)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
    }

    /// Runs `body` while this process holds the lease; returns at once when another process holds it.
    /// `body` is woken through its flag on every append notified; it is cancelled when the lease's
    /// connection dies.
    public func lead(_ body: @escaping @Sendable (WakeFlag) async throws -> Void) async throws {
        try await client.withConnection { connection in
            let key = Self.lockKey(name)
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
                try await follow(connection, body)
            } catch {
                await unlock()
                throw error
            }
            await unlock()
        }
    }
}
