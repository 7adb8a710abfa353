import Foundation
import PostgresNIO

/// Parses `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` into a client configuration.
public enum DatabaseURL {
    /// Failure to understand a `DATABASE_URL`.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// What `sslmode` asks for, with libpq's meanings, so a URL means here what it means to `psql`.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plaintext.
        case disable
        /// TLS when the server offers it, plaintext otherwise; the certificate is not checked (libpq's
        /// `allow` tries plaintext first, which PostgresNIO cannot, so it behaves as `prefer`).
        case allow, prefer
        /// TLS or no connection; the certificate is not checked unless `sslrootcert` is given (as in libpq).
        case require
        /// TLS or no connection; the certificate must chain to a trusted root.
        case verifyCA = "verify-ca"
        /// As `verify-ca`, and the certificate must name the host.
        case verifyFull = "verify-full"

        /// Whether a plaintext connection is refused.
        public var requiresTLS: Bool { self == .require || self == .verifyCA || self == .verifyFull }
    }

    /// The `sslmode` of `url` (default `prefer`); throws for a mode libpq does not know.
    public static func tlsMode(_ url: String) throws -> TLSMode {
        try tlsMode(of: try components(url))
    }

    /// The client configuration for `url`.
    public static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        let components = try components(url)
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: try tls(of: components))
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 16
        configuration.options.minimumConnections = 2
        return configuration
    }

    private static func components(_ url: String) throws -> URLComponents {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else { throw Invalid(description: "DATABASE_URL must look like postgres://user@host:port/database") }
        return components
    }

    private static func query(_ name: String, _ components: URLComponents) -> String? {
        components.queryItems?.first { $0.name == name }?.value
    }

    private static func tlsMode(of components: URLComponents) throws -> TLSMode {
        let raw = query("sslmode", components) ?? TLSMode.prefer.rawValue
        guard let mode = TLSMode(rawValue: raw) else {
            // A typo must not quietly fall back to something weaker than what was meant.
            throw Invalid(
                description: "DATABASE_URL: unknown sslmode=\(raw); use one of "
                    + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return mode
    }

    private static func tls(of components: URLComponents) throws -> PostgresClient.Configuration.TLS {
        let mode = try tlsMode(of: components)
        let rootCertificate = query("sslrootcert", components)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate, rootCertificate != "system" { tls.trustRoots = .file(rootCertificate) }
        switch mode {
        case .disable:
            return .disable
        case .allow, .prefer:
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = rootCertificate == nil ? .none : .noHostnameVerification
            return .require(tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(tls)
        }
    }
}
