import Foundation
import Logging
import PostgresNIO

/// The event log in PostgreSQL. The `(stream_id, version)` unique constraint is the optimistic
/// concurrency guard; `transaction_id` makes global reads gap-safe.
public struct PostgresEventStore: EventStore {
    let client: PostgresClient
    let logger: Logger
    let queue: AppendQueue
    /// The channel appends notify after they commit; the log's followers LISTEN on it.
    public static let wakeUpChannel = CommitNotifier.channel

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        let appender = PostgresAppender(client: client, logger: logger, notifier: CommitNotifier(client: client, logger: logger))
        queue = AppendQueue { writes, keys in try await appender.append(writes, idempotency: keys) }
    }

    /// Appends that arrive together share one transaction (see `AppendQueue`).
    public func append(_ writes: [StreamWrite], idempotency: [IdempotencyWrite]) async throws -> AppendResult {
        try await queue.append(writes, idempotency: idempotency)
    }

    static func translate(_ error: any Error) -> any Error { PostgresErrors.translate(error) }
}

/// Maps PostgreSQL failures onto the errors callers act on; anything else passes through.
public enum PostgresErrors {
    /// SQLSTATE classes and codes that mean "the database is not there right now".
    static let unavailableStates: Set<String> = ["57P01", "57P02", "57P03", "53300", "53400"]

    public static func translate(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError {
            if transaction.closureError == nil, let commit = transaction.commitError {
                // The server may have committed before the answer was lost.
                if case EventStoreError.unavailable(let reason) = translate(commit) { return EventStoreError.outcomeUnknown(reason) }
                return translate(commit)
            }
            if let inner = transaction.closureError ?? transaction.beginError {
                return translate(inner)
            }
            return error
        }
        guard let psql = error as? PSQLError else { return error }
        switch psql.code {
        case .server:
            let state = psql.serverInfo?[.sqlState] ?? ""
            if state.hasPrefix("08") || unavailableStates.contains(state) {
                return EventStoreError.unavailable("database \(state)")
            }
            guard state == "23505" else { return error }
            switch psql.serverInfo?[.constraintName] {
            case "events_stream_version":
                return EventStoreError.wrongExpectedVersion(streamId: psql.serverInfo?[.detail] ?? "")
            case "idempotency_keys_pkey":
                return EventStoreError.idempotencyKeyTaken(key: psql.serverInfo?[.detail] ?? "")
            default:
                return error
            }
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
            .queryCancelled:
            return EventStoreError.unavailable("\(psql.code)")
        default:
            return error
        }
    }

    /// Runs `body`, translating its failure.
    public static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw translate(error)
        }
    }
}
