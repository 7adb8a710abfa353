import EventStore
import Logging
import PostgresNIO

/// Opening the database: one `PostgresClient` per process, run as a service.
enum Database {
    static func client(_ url: String, logger: Logger) throws -> PostgresClient {
        PostgresClient(configuration: try DatabaseURL.configuration(url), backgroundLogger: logger)
    }

    /// Runs `body` with a running client, for one-shot commands outside a service group.
    static func withClient<T: Sendable>(_ url: String, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withClient(try client(url, logger: logger), body)
    }

    /// Runs `body` while `client` runs.
    static func withClient<T: Sendable>(_ client: PostgresClient, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            let result = try await body(client)
            return result
        }
    }
}
