import Commands
import Foundation
import PostgresNIO

extension PostgresEventStore {
    private static let columns = """
        global_position, stream_id, version, type, data::text, metadata::text, transaction_id::text, recorded_at
        """

    public func readStream(_ streamId: String, after version: Int) async throws -> [StoredEvent] {
        try await events(
            "SELECT \(unescaped: Self.columns) FROM events WHERE stream_id = \(streamId) AND version > \(version) ORDER BY version")
    }

    /// Gap-safe: only transactions older than every still-running one are visible, so an event that
    /// commits late with a lower position can never be skipped by a reader that moved on.
    /// The ORDER BY names the table: a bare `transaction_id` would sort by the output column
    /// `transaction_id::text`, putting transaction 1401 before 906 (how read models once lost events).
    public func readAll(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> [StoredEvent] {
        let transaction = String(checkpoint.transactionId)
        return try await events(
            """
            SELECT \(unescaped: Self.columns) FROM events
            WHERE (transaction_id, global_position) > (\(transaction)::xid8, \(checkpoint.position))
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
              AND (\(types ?? [])::text[] = '{}' OR type = ANY(\(types ?? [])::text[]))
            ORDER BY events.transaction_id, events.global_position
            LIMIT \(limit)
            """)
    }

    /// One statement, so the events and the horizon come from one snapshot: nothing can commit between
    /// them below the horizon, since every transaction under `xmin` had already ended.
    public func readBatch(after checkpoint: Checkpoint, limit: Int, types: [String]?) async throws -> EventBatch {
        let transaction = String(checkpoint.transactionId)
        let rows: [(Bool, StoredEvent)]
        do {
            rows = try await decodeRows(
                client.query(
                    """
                    SELECT u.horizon, u.global_position, u.stream_id, u.version, u.type, u.data::text, u.metadata::text,
                           u.transaction_id::text, u.recorded_at
                    FROM (
                        (SELECT false AS horizon, global_position, stream_id, version, type, data, metadata, transaction_id, recorded_at
                         FROM events
                         WHERE (transaction_id, global_position) > (\(transaction)::xid8, \(checkpoint.position))
                           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                           AND (\(types ?? [])::text[] = '{}' OR type = ANY(\(types ?? [])::text[]))
                         ORDER BY events.transaction_id, events.global_position
                         LIMIT \(limit))
                        UNION ALL
                        (SELECT true, global_position, '', 0, '', 'null'::jsonb, 'null'::jsonb, transaction_id, recorded_at
                         FROM events
                         WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                         ORDER BY events.transaction_id DESC, events.global_position DESC
                         LIMIT 1)
                    ) AS u
                    ORDER BY u.horizon, u.transaction_id, u.global_position
                    """, logger: logger))
        } catch {
            throw Self.translate(error)
        }
        let events = rows.filter { !$0.0 }.map(\.1)
        let horizon = rows.first { $0.0 }.map { $0.1.checkpoint } ?? checkpoint
        let through =
            if let last = events.last, events.count >= limit { last.checkpoint } else {
                max(horizon, events.last?.checkpoint ?? checkpoint, checkpoint)
            }
        return EventBatch(events: events, through: through)
    }

    public func checkpoint(at position: Int64) async throws -> Checkpoint? {
        do {
            let rows = try await client.query(
                """
                SELECT transaction_id::text, global_position FROM events
                WHERE global_position >= \(position) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY global_position LIMIT 1
                """, logger: logger)
            for try await (transaction, found) in rows.decode((String, Int64).self) {
                return Checkpoint(transactionId: UInt64(transaction) ?? 0, position: found)
            }
            return nil
        } catch {
            throw Self.translate(error)
        }
    }

    public func hasEvents(after checkpoint: Checkpoint, through target: Checkpoint, types: [String]) async throws -> Bool {
        do {
            let rows = try await client.query(
                """
                SELECT EXISTS (SELECT 1 FROM events
                WHERE (transaction_id, global_position) > (\(String(checkpoint.transactionId))::xid8, \(checkpoint.position))
                  AND (transaction_id, global_position) <= (\(String(target.transactionId))::xid8, \(target.position))
                  AND type = ANY(\(types)::text[]))
                """, logger: logger)
            for try await found in rows.decode(Bool.self) { return found }
            return false
        } catch {
            throw Self.translate(error)
        }
    }

    public func backlog(after checkpoint: Checkpoint, types: [String]?) async throws -> (events: Int, oldest: Date?) {
        do {
            let rows = try await client.query(
                """
                SELECT count(*)::int8, min(recorded_at) FROM events
                WHERE (transaction_id, global_position) > (\(String(checkpoint.transactionId))::xid8, \(checkpoint.position))
                  AND (\(types ?? [])::text[] = '{}' OR type = ANY(\(types ?? [])::text[]))
                """, logger: logger)
            for try await (count, oldest) in rows.decode((Int, Date?).self) { return (count, oldest) }
            return (0, nil)
        } catch {
            throw Self.translate(error)
        }
    }

    public func lookup(_ index: EventIndex, _ value: String) async throws -> StoredEvent? {
        let query: PostgresQuery =
            switch index {
            case .bookingId:
                "SELECT \(unescaped: Self.columns) FROM events WHERE type IN ('BookingPlaced', 'SeatsOffered') AND data->>'bookingId' = \(value) LIMIT 1"
            case .tokenHash:
                "SELECT \(unescaped: Self.columns) FROM events WHERE type IN ('UserRegistered', 'ScannerCreated') AND data->>'tokenHash' = \(value) LIMIT 1"
            case .ticketId:
                "SELECT \(unescaped: Self.columns) FROM events WHERE type = 'TicketIssued' AND data->>'ticketId' = \(value) LIMIT 1"
            }
        return try await events(query).first
    }

    public func serverKey(named name: String) async throws -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) })
        do {
            // The first process to ask stores its key; every later one (and every other process) reads that one.
            let rows = try await client.query(
                """
                WITH made AS (INSERT INTO server_keys (name, key) VALUES (\(name), \(fresh)) ON CONFLICT (name) DO NOTHING RETURNING key)
                SELECT key FROM made UNION ALL SELECT key FROM server_keys WHERE name = \(name)
                """, logger: logger)
            for try await key in rows.decode(Data.self) { return [UInt8](key) }
            throw EventStoreError.unavailable("the server key \(name) could not be read")
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw Self.translate(error)
        }
    }

    public func storedOutcome(for key: IdempotencyKey) async throws -> StoredOutcome? {
        do {
            let rows = try await client.query(
                """
                SELECT outcome, position, request_hash FROM idempotency_keys
                WHERE principal = \(key.principal) AND key = \(key.key)
                """, logger: logger)
            for try await (outcome, position, hash) in rows.decode((Data, Int64, String).self) {
                return StoredOutcome(outcome: outcome, position: position, requestHash: hash)
            }
            return nil
        } catch {
            throw Self.translate(error)
        }
    }

    public func headPosition() async throws -> Int64 {
        do {
            let rows = try await client.query("SELECT coalesce(max(global_position), 0)::int8 FROM events", logger: logger)
            for try await position in rows.decode(Int64.self) { return position }
            return 0
        } catch {
            throw Self.translate(error)
        }
    }

    public func latestCheckpoint() async throws -> Checkpoint {
        do {
            // Qualified: a bare `transaction_id` would name the text column of the output, ordering "999" above "1019".
            let rows = try await client.query(
                """
                SELECT transaction_id::text, global_position FROM events
                ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1
                """, logger: logger)
            for try await (transaction, position) in rows.decode((String, Int64).self) {
                return Checkpoint(transactionId: UInt64(transaction) ?? 0, position: position)
            }
            return .start
        } catch {
            throw Self.translate(error)
        }
    }

    private func events(_ query: PostgresQuery) async throws -> [StoredEvent] {
        do {
            let rows = try await client.query(query, logger: logger)
            var events: [StoredEvent] = []
            let decoder = JSONDecoder()
            for try await (position, stream, version, type, data, metadata, transaction, recordedAt)
                in rows.decode((Int64, String, Int, String, String, String, String, Date).self)
            {
                events.append(try Self.event(position, stream, version, type, data, metadata, transaction, recordedAt, decoder))
            }
            return events
        } catch {
            throw Self.translate(error)
        }
    }

    /// Rows of `readBatch`: a flag marking the horizon row (which has no event data) and the event.
    private func decodeRows(_ rows: PostgresRowSequence) async throws -> [(Bool, StoredEvent)] {
        var result: [(Bool, StoredEvent)] = []
        let decoder = JSONDecoder()
        for try await (horizon, position, stream, version, type, data, metadata, transaction, recordedAt)
            in rows.decode((Bool, Int64, String, Int, String, String, String, String, Date).self)
        {
            let event =
                horizon
                ? StoredEvent(
                    position: position, streamId: "", version: 0, type: "", data: Data(), metadata: EventMetadata(correlationId: ""),
                    transactionId: UInt64(transaction) ?? 0, recordedAt: recordedAt)
                : try Self.event(position, stream, version, type, data, metadata, transaction, recordedAt, decoder)
            result.append((horizon, event))
        }
        return result
    }

    private static func event(
        _ position: Int64, _ stream: String, _ version: Int, _ type: String, _ data: String,
        _ metadata: String, _ transaction: String, _ recordedAt: Date,
        _ decoder: JSONDecoder
    ) throws -> StoredEvent {
        StoredEvent(
            position: position, streamId: stream, version: version, type: type, data: Data(data.utf8),
            metadata: try decoder.decode(EventMetadata.self, from: Data(metadata.utf8)),
            transactionId: UInt64(transaction) ?? 0, recordedAt: recordedAt)
    }
}
