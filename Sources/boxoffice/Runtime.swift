import ArgumentParser
import Commands
import EventStore
import Foundation
import Gateway
import Logging
import PostgresNIO
import Projections
import ServiceLifecycle
import Webhooks

/// What every long-running process is made of: one PostgreSQL client, the stores, and the workers.
struct Runtime {
    let logger: Logger
    let client: PostgresClient
    let events: PostgresEventStore
    let documents: any DocumentStore
    let processId: String
    /// The clock hold deadlines are decided with, shared by every process (measured before services start).
    let clock: DatabaseClock

    init(_ common: CommonOptions, label: String) throws {
        logger = try common.makeLogger(label)
        client = try Database.client(try common.database(), logger: logger)
        events = PostgresEventStore(client: client, logger: logger)
        if let uri = common.mongoDB() {
            documents = try MongoDocumentStore(uri: uri, logger: logger)
        } else {
            documents = PostgresDocumentStore(client: client, logger: logger)
        }
        logger.info("read models", metadata: ["readModels.kind": "\(documents.kind)"])
        processId = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        clock = DatabaseClock(client: client, logger: logger)
    }

    /// One runner per projection; each runs only while this process holds that projection's lease.
    /// They share their reads of the log.
    func projectors(batchSize: Int = 1_000) -> [any Service] {
        let reads = SharedLogReads(events: events, projections: Projections.all, limit: batchSize)
        return Projections.all.map {
            ProjectionRunner(
                projection: $0, events: events, documents: documents, client: client, logger: logger,
                owner: processId, batchSize: batchSize, reads: reads)
        }
    }

    /// The hold-expiry worker, deciding through `sessions` (share the gateway's handler in all-in-one mode).
    /// It also deletes idempotency keys older than `IDEMPOTENCY_RETENTION` seconds (default 24 h).
    func expiryWorker(_ sessions: CommandHandler<SessionDecider>) throws -> any Service {
        let seconds = try Environment.number("IDEMPOTENCY_RETENTION", Double.self) ?? 86_400
        guard seconds > 0, seconds.isFinite else { throw ValidationError("IDEMPOTENCY_RETENTION must be a positive number of seconds") }
        let events = self.events
        let cleanup = ExpiryWorker.KeyCleanup(
            retention: IdempotencyRetention(keepFor: .milliseconds(Int64(seconds * 1000)))
        ) { age, limit in try await events.deleteIdempotencyKeys(olderThan: age, limit: limit) }
        return ExpiryWorker(
            sessions: sessions, documents: documents, workerId: processId, logger: logger, clock: clock.now, keyCleanup: cleanup)
    }

    /// The webhook queue in this process's database.
    var webhookQueue: PostgresWebhookQueue { PostgresWebhookQueue(client: client, logger: logger) }

    /// The webhook delivery worker (runs only while this process holds its lease), configured from the environment.
    func webhookWorker() throws -> any Service {
        WebhookWorker(
            events: events, queue: webhookQueue, client: client, settings: try WebhookOptions.settings(), owner: processId, logger: logger)
    }

    /// Runs `services` after the client, with graceful shutdown on SIGTERM and SIGINT; migrations first.
    func run(_ services: [any Service]) async throws {
        let migrations = MigrationService(client: client, logger: logger, clock: clock, then: services)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: client), .init(service: migrations)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Applies migrations, then runs the process's services in a nested group (so nothing touches
/// tables before they exist).
struct MigrationService: Service {
    let client: PostgresClient
    let logger: Logger
    let clock: DatabaseClock
    let then: [any Service]

    func run() async throws {
        try await Migrations.apply(client, logger: logger)
        try await clock.measure()
        let group = ServiceGroup(configuration: .init(services: ([clock] + then).map { .init(service: $0) }, logger: logger))
        try await group.run()
    }
}
