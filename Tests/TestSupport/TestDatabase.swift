import EventStore
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL that `scripts/test` starts, shared by every test in the process.
public enum TestDatabase {
    /// `DATABASE_URL`; the suite needs a real PostgreSQL and says so rather than skipping.
    public static var url: String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            fatalError("DATABASE_URL is not set: run the tests through scripts/test, which starts a private PostgreSQL")
        }
        return url
    }

    public static let logger: Logger = {
        var logger = Logger(label: "tests") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        return logger
    }()

    /// A running client; its run loop lives as long as the test process.
    public static let client: PostgresClient = makeClient()

    /// A new client with its own pool, started in the background (a second "process" in tests).
    public static func makeClient() -> PostgresClient {
        let client = PostgresClient(configuration: try! DatabaseURL.configuration(url), backgroundLogger: logger)
        Task.detached { await client.run() }
        return client
    }

    private static let migration = Task { try await Migrations.apply(client, logger: logger) }

    /// The shared store, with migrations applied.
    public static func store() async throws -> PostgresEventStore {
        try await migration.value
        return PostgresEventStore(client: client, logger: logger)
    }

    /// A new, empty database on the same server, for tests whose processes must not share leases
    /// with others (projectors). Returns its URL.
    public static func freshDatabase() async throws -> String {
        _ = try await store()
        let name = "bo_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        var components = URLComponents(string: url)!
        components.path = "/\(name)"
        return components.string!
    }

    /// Stores on another database (a fresh one), with migrations applied.
    public static func stores(_ url: String) async throws -> (client: PostgresClient, events: PostgresEventStore) {
        let client = PostgresClient(configuration: try DatabaseURL.configuration(url), backgroundLogger: logger)
        Task.detached { await client.run() }
        try await Migrations.apply(client, logger: logger)
        return (client, PostgresEventStore(client: client, logger: logger))
    }

    /// A stream id no other test uses.
    public static func uniqueStream(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.lowercased())"
    }
}
