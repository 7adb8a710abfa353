import EventStore
import Foundation
import PostgresNIO

/// What the admin routes and the metrics ask of the queue.
extension PostgresWebhookQueue {
    static let deliveryColumns = """
        webhook_id, position, stream_id, version, event_type, status, attempts, last_error, last_status,
        CASE WHEN status = 'pending' THEN next_attempt_at END, delivered_at, created_at
        """

    public func deliveries(of webhookId: String, status: DeliveryStatus?, after position: Int64?, limit: Int) async throws -> [Delivery] {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.deliveryColumns) FROM webhook_deliveries
                WHERE webhook_id = \(webhookId) AND position > \(position ?? 0)
                  AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                ORDER BY position LIMIT \(limit)
                """, logger: logger)
            return try await Self.decode(rows)
        }
    }

    public func retry(webhookId: String, position: Int64) async throws -> RetryResult {
        try await PostgresErrors.translating {
            try await client.withTransaction(logger: logger) { connection in
                let current = try await connection.query(
                    "SELECT status FROM webhook_deliveries WHERE webhook_id = \(webhookId) AND position = \(position) FOR UPDATE",
                    logger: logger)
                var status: String?
                for try await found in current.decode(String.self) { status = found }
                guard let status else { return .notFound }
                guard status != DeliveryStatus.pending.rawValue else { return .alreadyPending }
                let rows = try await connection.query(
                    """
                    UPDATE webhook_deliveries
                    SET status = 'pending', next_attempt_at = now(), age_from = now(), delivered_at = NULL
                    WHERE webhook_id = \(webhookId) AND position = \(position)
                    RETURNING \(unescaped: Self.deliveryColumns)
                    """, logger: logger)
                guard let delivery = try await Self.decode(rows).first else { return .notFound }
                return .requeued(delivery)
            }
        }
    }

    public func registeredWebhookIds(limit: Int) async throws -> [String] {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                SELECT data->>'webhookId' FROM events WHERE type = 'WebhookRegistered' ORDER BY global_position LIMIT \(limit)
                """, logger: logger)
            var ids: [String] = []
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    public func counts() async throws -> [DeliveryStatus: Int] {
        try await PostgresErrors.translating {
            let rows = try await client.query("SELECT status, count(*)::int8 FROM webhook_deliveries GROUP BY status", logger: logger)
            var counts: [DeliveryStatus: Int] = [:]
            for try await (status, count) in rows.decode((String, Int64).self) {
                if let known = DeliveryStatus(rawValue: status) { counts[known] = Int(count) }
            }
            return counts
        }
    }

    fileprivate static func decode(_ rows: PostgresRowSequence) async throws -> [Delivery] {
        var deliveries: [Delivery] = []
        for try await row in rows {
            let (id, position, stream, version, type, status, attempts, error, lastStatus, next, delivered, created) = try row.decode(
                (String, Int64, String, Int, String, String, Int, String?, Int?, Date?, Date?, Date).self)
            deliveries.append(
                Delivery(
                    webhookId: id, position: position, streamId: stream, version: version, eventType: type,
                    status: DeliveryStatus(rawValue: status) ?? .pending, attempts: attempts, lastError: error, lastStatus: lastStatus,
                    nextAttemptAt: next, deliveredAt: delivered, createdAt: created))
        }
        return deliveries
    }
}
