import Commands
import Foundation
import Logging
import PostgresNIO

/// Writes appends to the `events` table (and their idempotency keys), one transaction per call.
struct PostgresAppender: Sendable {
    let client: PostgresClient
    let logger: Logger
    let notifier: CommitNotifier

    /// Appends all writes and their idempotency keys in one transaction, answering after its `COMMIT`.
    func append(_ writes: [StreamWrite], idempotency: [IdempotencyWrite]) async throws -> AppendResult {
        do {
            // Always an explicit transaction, even for one INSERT: PostgresNIO finishes a query at
            // CommandComplete, which PostgreSQL sends before an implicit transaction commits, so a
            // commit that then fails (a fast shutdown) would be acknowledged. COMMIT answers after it.
            let appended = try await client.withTransaction(logger: logger) { connection in
                var bases: [Int]?
                if writes.contains(where: { $0.expected == .any }) {
                    bases = try await currentVersions(writes, connection)
                }
                let rows = try await connection.query(try insertQuery(writes, baseVersions: bases), logger: logger)
                let appended = try await result(rows, writes: writes, baseVersions: bases)
                if !idempotency.isEmpty {
                    try await storeKeys(idempotency, positions: appended.positions, connection)
                }
                return appended
            }
            notifier.poke()
            return appended
        } catch {
            throw PostgresErrors.translate(error)
        }
    }

    private func insertQuery(_ writes: [StreamWrite], baseVersions: [Int]?) throws -> PostgresQuery {
        var streams: [String] = []
        var versions: [Int] = []
        var types: [String] = []
        var data: [String] = []
        var metadata: [String] = []
        let encoder = EventJSON.encoder
        for (index, write) in writes.enumerated() {
            let base: Int
            switch write.expected {
            case .noStream: base = 0
            case .exact(let version): base = version
            case .any: base = baseVersions?[index] ?? 0
            }
            for (offset, event) in write.events.enumerated() {
                streams.append(write.streamId)
                versions.append(base + offset + 1)
                types.append(event.type)
                data.append(String(decoding: event.data, as: UTF8.self))
                metadata.append(String(decoding: try encoder.encode(event.metadata), as: UTF8.self))
            }
        }
        return """
            INSERT INTO events (stream_id, version, type, data, metadata)
            SELECT s, v, t, d::jsonb, m::jsonb
            FROM unnest(\(streams)::text[], \(versions)::int8[], \(types)::text[], \(data)::text[], \(metadata)::text[])
                 WITH ORDINALITY AS u(s, v, t, d, m, ord)
            ORDER BY ord
            RETURNING global_position
            """
    }

    private func result(_ rows: PostgresRowSequence, writes: [StreamWrite], baseVersions: [Int]?) async throws -> AppendResult {
        var positions: [Int64] = []
        for try await position in rows.decode(Int64.self) { positions.append(position) }
        positions.sort()
        let versions = writes.enumerated().map { index, write in
            switch write.expected {
            case .noStream: write.events.count
            case .exact(let version): version + write.events.count
            case .any: (baseVersions?[index] ?? 0) + write.events.count
            }
        }
        return AppendResult(positions: positions, versions: versions)
    }

    private func currentVersions(_ writes: [StreamWrite], _ connection: PostgresConnection) async throws -> [Int] {
        var versions: [Int] = []
        for write in writes {
            let rows = try await connection.query(
                "SELECT coalesce(max(version), 0)::int8 FROM events WHERE stream_id = \(write.streamId)", logger: logger)
            var version = 0
            for try await value in rows.decode(Int.self) { version = value }
            versions.append(version)
        }
        return versions
    }

    private func storeKeys(_ keys: [IdempotencyWrite], positions: [Int64], _ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO idempotency_keys (principal, key, request_hash, outcome, position)
            SELECT * FROM unnest(\(keys.map(\.key.principal))::text[], \(keys.map(\.key.key))::text[],
                                 \(keys.map(\.requestHash))::text[], \(keys.map { ByteBuffer(bytes: $0.outcome) })::bytea[],
                                 \(keys.map { positions[$0.lastEventIndex] })::int8[])
            """, logger: logger)
    }
}
