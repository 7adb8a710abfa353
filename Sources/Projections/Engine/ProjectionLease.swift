import EventStore
import Logging
import PostgresNIO

/// The lease: a session advisory lock on the runner's own connection, held while the runner projects.
extension ProjectionRunner {
    /// The advisory lock key of a projection.
    static func lockKey(_ name: String) -> Int64 {
        Int64(bitPattern: name.utf8.reduce(UInt64(0x6b6f_6666_6f78_6f62)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
    }

    func leadWhileHoldingLease() async throws {
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

    struct LeaseLost: Error {}
}
