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
public struct ProjectionRunner: Service {
    let projection: any Projection
    let events: any EventStore
    let documents: any DocumentStore
    let client: PostgresClient
    let logger: Logger
    let owner: String
    let batchSize: Int
    let pollInterval: Duration
    /// The log reads shared with the process's other projectors; nil reads alone.
    let reads: SharedLogReads?
    /// Longest a catch-up pass or a lease check may take before the lease is given up and retaken.
    let stepLimit: Duration = .seconds(10)

    public init(
        projection: any Projection, events: any EventStore, documents: any DocumentStore, client: PostgresClient, logger: Logger,
        owner: String, batchSize: Int = 1_000, pollInterval: Duration = .milliseconds(250), reads: SharedLogReads? = nil
    ) {
        self.reads = reads
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
}
