import Foundation
import PostgresNIO

/// How long idempotency keys are remembered (`IDEMPOTENCY_RETENTION`), and how they are forgotten.
public struct IdempotencyRetention: Sendable, Equatable {
    /// Keys older than this are deleted; a client retrying after it gets a new command, not a replay.
    public var keepFor: Duration
    /// How often the expiry worker deletes; keys live at most `keepFor + every`.
    public var every: Duration

    /// The contract's "at least 24 h".
    public static let standard = IdempotencyRetention(keepFor: .seconds(86_400))

    public init(keepFor: Duration, every: Duration = .seconds(60)) {
        self.keepFor = keepFor
        self.every = every
    }
}

extension PostgresEventStore {
    /// Deletes up to `limit` idempotency keys older than `keepFor` by the database's clock (one clock for
    /// every process); returns how many. Small batches keep each delete short next to live appends.
    public func deleteIdempotencyKeys(olderThan keepFor: Duration, limit: Int = 5_000) async throws -> Int {
        let seconds = Double(keepFor.components.seconds) + Double(keepFor.components.attoseconds) / 1e18
        do {
            let rows = try await client.query(
                """
                WITH gone AS (
                    DELETE FROM idempotency_keys WHERE ctid IN (
                        SELECT ctid FROM idempotency_keys
                        WHERE created_at < now() - make_interval(secs => \(seconds))
                        LIMIT \(limit))
                    RETURNING 1)
                SELECT count(*)::int8 FROM gone
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        } catch {
            throw Self.translate(error)
        }
    }
}
