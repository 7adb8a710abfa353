import ArgumentParser
import Foundation
import Logging

/// Settings every process needs; each flag falls back to its environment variable.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (env DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (env LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .customLong("mongodb-uri"), help: "MongoDB URI for every read model (env MONGODB_URI); unset: PostgreSQL.")
    var mongodbURI: String?

    func database() throws -> String {
        guard let url = databaseURL ?? Environment.value("DATABASE_URL"), !url.isEmpty else {
            throw ValidationError("DATABASE_URL (or --database-url) is required")
        }
        return url
    }

    /// The MongoDB URI when the read models live in MongoDB; nil keeps them in PostgreSQL.
    func mongoDB() -> String? {
        mongodbURI.flatMap { $0.isEmpty ? nil : $0 } ?? Environment.value("MONGODB_URI")
    }

    /// The process's one logger; everything below receives it.
    func makeLogger(_ label: String) throws -> Logger {
        let name = logLevel ?? Environment.value("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw ValidationError("unknown log level \(name)")
        }
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}

/// Reading configuration from the environment.
enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func number<T: LosslessStringConvertible>(_ name: String, _ type: T.Type) throws -> T? {
        guard let raw = value(name) else { return nil }
        guard let parsed = T(raw) else { throw ValidationError("\(name) must be a number, got \(raw)") }
        return parsed
    }
}
