import Foundation
import PostgresNIO

/// Parses `postgres://user:password@host:port/database?sslmode=…` into a client configuration.
public enum DatabaseURL {
    /// Failure to understand a `DATABASE_URL`.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// The client configuration for `url`; `sslmode=disable` turns TLS off, anything else prefers it.
    public static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else { throw Invalid(description: "DATABASE_URL must look like postgres://user@host:port/database") }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS = sslMode == "disable" ? .disable : .prefer(.makeClientConfiguration())
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 16
        configuration.options.minimumConnections = 2
        return configuration
    }
}
