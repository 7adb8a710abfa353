import Commands
import EventStore
import Foundation
import Logging
import PostgresNIO

/// The webhook queue in PostgreSQL (migration 11), beside the log it follows.
public struct PostgresWebhookQueue: WebhookQueue {
    let client: PostgresClient
    let logger: Logger
    /// The worker's checkpoint row in `projection_checkpoints`, beside the projections'.
    static let projection = "webhooks"

    /// A queue on the event store's database.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func activeRegistrations() async throws -> [WebhookRegistered] {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                "SELECT webhook_id, url, events, secret FROM webhooks WHERE removed_at IS NULL ORDER BY registered_at", logger: logger)
            var found: [WebhookRegistered] = []
            for try await (id, url, events, secret) in rows.decode((String, String, [String], String).self) {
                found.append(WebhookRegistered(webhookId: id, url: url, events: events, secret: secret, createdAt: Date()))
            }
            return found
        }
    }

    public func checkpoint() async throws -> Checkpoint {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                SELECT transaction_id, position FROM projection_checkpoints
                WHERE projection = \(Self.projection) AND generation = 1
                """, logger: logger)
            for try await (transaction, position) in rows.decode((Int64, Int64).self) {
                return Checkpoint(transactionId: UInt64(transaction), position: position)
            }
            return .start
        }
    }

    public func commit(_ step: EnqueueStep, owner: String) async throws {
        try await PostgresErrors.translating {
            try await client.withTransaction(logger: logger) { connection in
                for registration in step.registered {
                    try await connection.query(
                        """
                        INSERT INTO webhooks (webhook_id, url, events, secret, registered_at)
                        VALUES (\(registration.webhookId), \(registration.url), \(registration.events), \(registration.secret),
                                \(Int64(registration.createdAt.timeIntervalSince1970)))
                        ON CONFLICT (webhook_id) DO NOTHING
                        """, logger: logger)
                }
                if !step.removed.isEmpty {
                    try await connection.query(
                        """
                        UPDATE webhooks SET removed_at = extract(epoch FROM now())::bigint
                        WHERE webhook_id = ANY(\(step.removed)::text[]) AND removed_at IS NULL
                        """, logger: logger)
                }
                if !step.deliveries.isEmpty {
                    let deliveries = step.deliveries
                    // A step repeated after a crash before its commit finds its rows there already: none doubles.
                    try await connection.query(
                        """
                        INSERT INTO webhook_deliveries (webhook_id, position, stream_id, version, event_type)
                        SELECT * FROM unnest(\(deliveries.map(\.webhookId))::text[], \(deliveries.map(\.position))::int8[],
                                             \(deliveries.map(\.streamId))::text[], \(deliveries.map(\.version))::int4[],
                                             \(deliveries.map(\.eventType))::text[])
                        ON CONFLICT (webhook_id, position) DO NOTHING
                        """, logger: logger)
                }
                let checkpoint = step.checkpoint
                try await connection.query(
                    """
                    INSERT INTO projection_checkpoints (projection, generation, transaction_id, position, owner, updated_at)
                    VALUES (\(Self.projection), 1, \(Int64(checkpoint.transactionId)), \(checkpoint.position), \(owner), now())
                    ON CONFLICT (projection, generation) DO UPDATE
                    SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, owner = EXCLUDED.owner, updated_at = now()
                    WHERE (projection_checkpoints.transaction_id, projection_checkpoints.position)
                          <= (EXCLUDED.transaction_id, EXCLUDED.position)
                    """, logger: logger)
            }
        }
    }

    public func endpointsWithPendingDeliveries() async throws -> [String] {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                SELECT w.webhook_id FROM webhooks w
                WHERE w.removed_at IS NULL
                  AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.webhook_id AND d.status = 'pending')
                """, logger: logger)
            var ids: [String] = []
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    public func head(of webhookId: String) async throws -> DueDelivery? {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                SELECT w.url, w.secret, d.position, d.stream_id, d.version, d.event_type, d.attempts,
                       greatest(0, extract(epoch FROM d.next_attempt_at - now()))::float8, e.data::text, e.recorded_at
                FROM webhook_deliveries d
                JOIN webhooks w ON w.webhook_id = d.webhook_id AND w.removed_at IS NULL
                JOIN events e ON e.global_position = d.position
                WHERE d.webhook_id = \(webhookId) AND d.status = 'pending'
                ORDER BY d.position LIMIT 1
                """, logger: logger)
            for try await (url, secret, position, stream, version, type, attempts, wait, data, recorded) in rows.decode(
                (String, String, Int64, String, Int, String, Int, Double, String, Date).self)
            {
                return DueDelivery(
                    webhookId: webhookId, url: url, secret: secret, position: position, streamId: stream, version: version,
                    eventType: type, data: Data(data.utf8), recordedAt: recorded, attempts: attempts,
                    wait: .milliseconds(Int64(wait * 1_000)))
            }
            return nil
        }
    }

    public func delivered(webhookId: String, position: Int64, status: Int) async throws {
        try await PostgresErrors.translating {
            try await client.query(
                """
                UPDATE webhook_deliveries
                SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_status = \(status), last_error = NULL
                WHERE webhook_id = \(webhookId) AND position = \(position) AND status = 'pending'
                """, logger: logger)
        }
    }

    public func attemptFailed(
        webhookId: String, position: Int64, error: String, status: Int?, retryIn: Duration, maxAge: Duration
    ) async throws -> DeliveryStatus {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                UPDATE webhook_deliveries
                SET attempts = attempts + 1, last_error = \(String(error.prefix(500))), last_status = \(status),
                    status = CASE WHEN now() - age_from >= make_interval(secs => \(maxAge.seconds)) THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = now() + make_interval(secs => \(retryIn.seconds))
                WHERE webhook_id = \(webhookId) AND position = \(position) AND status = 'pending'
                RETURNING status
                """, logger: logger)
            for try await status in rows.decode(String.self) { return DeliveryStatus(rawValue: status) ?? .pending }
            return .pending
        }
    }
}
