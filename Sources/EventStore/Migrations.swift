import Logging
import PostgresNIO

/// Versioned schema migrations, applied once in order even when several processes start together.
public enum Migrations {
    /// Each entry is applied in its own transaction and recorded in `schema_migrations`.
    static let steps: [(version: Int, name: String, sql: [String])] = [
        (
            1, "event log",
            [
                """
                CREATE TABLE events (
                    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    stream_id text NOT NULL,
                    version int NOT NULL,
                    type text NOT NULL,
                    data jsonb NOT NULL,
                    metadata jsonb NOT NULL,
                    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    recorded_at timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT events_stream_version UNIQUE (stream_id, version)
                )
                """,
                "CREATE INDEX events_commit_order ON events (transaction_id, global_position)",
                "CREATE INDEX events_booking_id ON events ((data->>'bookingId')) WHERE type = 'BookingPlaced'",
                "CREATE INDEX events_token_hash ON events ((data->>'tokenHash')) WHERE type = 'UserRegistered'",
                """
                CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('boxoffice_events', ''); RETURN NULL; END $$
                """,
                """
                CREATE TRIGGER events_notify AFTER INSERT ON events
                FOR EACH STATEMENT EXECUTE FUNCTION events_notify()
                """,
            ]
        ),
        (
            2, "idempotency keys",
            [
                """
                CREATE TABLE idempotency_keys (
                    principal text NOT NULL,
                    key text NOT NULL,
                    request_hash text NOT NULL,
                    status int NOT NULL,
                    body text NOT NULL,
                    position bigint NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (principal, key)
                )
                """,
                "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
            ]
        ),
        (
            3, "read models",
            [
                """
                CREATE TABLE documents (
                    projection text NOT NULL,
                    generation int NOT NULL,
                    collection text NOT NULL,
                    id text NOT NULL,
                    version bigint NOT NULL,
                    body jsonb NOT NULL,
                    PRIMARY KEY (projection, generation, collection, id)
                )
                """,
                "CREATE INDEX documents_user ON documents (projection, generation, collection, (body->>'userId'), (body->>'createdAt'))",
                "CREATE INDEX documents_session ON documents (projection, generation, collection, (body->>'sessionId'), (body->>'createdAt'))",
                "CREATE INDEX documents_status ON documents (projection, generation, collection, (body->>'status'), (body->>'createdAt'))",
                "CREATE INDEX documents_created ON documents (projection, generation, collection, (body->>'createdAt'))",
                "CREATE TABLE projection_generations (projection text PRIMARY KEY, generation int NOT NULL)",
                """
                CREATE TABLE projection_checkpoints (
                    projection text NOT NULL,
                    generation int NOT NULL,
                    transaction_id bigint NOT NULL,
                    position bigint NOT NULL,
                    owner text,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (projection, generation)
                )
                """,
            ]
        ),
        (
            4, "due holds",
            [
                """
                CREATE INDEX documents_hold_expiry ON documents (projection, generation, collection, (body->>'status'),
                                                                 (body->>'holdExpiresAt'))
                """
            ]
        ),
        // The append notifies after COMMIT (`CommitNotifier`): a NOTIFY inside the transaction serialised
        // every commit on a database-wide lock.
        (
            5, "notify after commit",
            [
                "DROP TRIGGER IF EXISTS events_notify ON events",
                "DROP FUNCTION IF EXISTS events_notify()",
            ]
        ),
        (
            6, "read-model repairs",
            [
                "CREATE TABLE projection_repairs (projection text PRIMARY KEY, repairs bigint NOT NULL, last_at timestamptz NOT NULL)"
            ]
        ),
        // A key remembers the command's outcome, opaque to the store, instead of an HTTP response. Keys
        // stored before keep the answer the gateway rendered then, wrapped as {"rendered": …} so that a
        // retry across the upgrade still gets it verbatim.
        (
            7, "idempotency outcomes",
            [
                "ALTER TABLE idempotency_keys ADD COLUMN outcome bytea",
                """
                UPDATE idempotency_keys
                SET outcome = convert_to(json_build_object('rendered', json_build_object('status', status, 'body', body))::text, 'UTF8')
                """,
                "ALTER TABLE idempotency_keys ALTER COLUMN outcome SET NOT NULL",
                "ALTER TABLE idempotency_keys DROP COLUMN status, DROP COLUMN body",
            ]
        ),
        // Only bookings are ever filtered or sorted on a field of their body. Every other document (a
        // session's entry and tally, its KPIs) changes with every event of its session, and each rewrite
        // paid five expression evaluations and index entries for nothing: under W2 the read models'
        // upsert was most of PostgreSQL's time (ADR 0019).
        (
            8, "read-model indexes for bookings only",
            [
                "DROP INDEX documents_user, documents_session, documents_status, documents_created, documents_hold_expiry",
                """
                CREATE INDEX documents_user ON documents (projection, generation, (body->>'userId'), (body->>'createdAt'))
                WHERE collection = 'bookings'
                """,
                """
                CREATE INDEX documents_session ON documents (projection, generation, (body->>'sessionId'), (body->>'createdAt'))
                WHERE collection = 'bookings'
                """,
                """
                CREATE INDEX documents_status ON documents (projection, generation, (body->>'status'), (body->>'createdAt'))
                WHERE collection = 'bookings'
                """,
                """
                CREATE INDEX documents_created ON documents (projection, generation, (body->>'createdAt'))
                WHERE collection = 'bookings'
                """,
                """
                CREATE INDEX documents_hold_expiry ON documents (projection, generation, (body->>'status'), (body->>'holdExpiresAt'))
                WHERE collection = 'bookings'
                """,
            ]
        ),
        // An offer to a waiter is a booking too (`SeatsOffered`, accepted by its id): the log's index of
        // booking ids covers both events, so the gateway finds an offer's session like any booking's.
        (
            9, "offers in the booking-id index",
            [
                "DROP INDEX events_booking_id",
                """
                CREATE INDEX events_booking_id ON events ((data->>'bookingId'))
                WHERE type IN ('BookingPlaced', 'SeatsOffered')
                """,
            ]
        ),
        // Tickets and door scanners (ADR 0020): a ticket's session is found by its id, a scanner's token like
        // a user's, and the key the tickets' secrets are derived with is made once per deployment.
        (
            10, "tickets and scanners",
            [
                "CREATE INDEX events_ticket_id ON events ((data->>'ticketId')) WHERE type = 'TicketIssued'",
                "DROP INDEX events_token_hash",
                "CREATE INDEX events_token_hash ON events ((data->>'tokenHash')) WHERE type IN ('UserRegistered', 'ScannerCreated')",
                "CREATE TABLE server_keys (name text PRIMARY KEY, key bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
            ]
        ),
        // Webhooks (ADR 0021): the registrations as the delivery worker has followed them, and one row per
        // event to deliver to one endpoint, written with the worker's checkpoint so none is lost or doubled.
        (
            11, "webhook deliveries",
            [
                """
                CREATE TABLE webhooks (
                    webhook_id text PRIMARY KEY,
                    url text NOT NULL,
                    events text[] NOT NULL,
                    secret text NOT NULL,
                    registered_at bigint NOT NULL,
                    removed_at bigint
                )
                """,
                """
                CREATE TABLE webhook_deliveries (
                    webhook_id text NOT NULL,
                    position bigint NOT NULL,
                    stream_id text NOT NULL,
                    version int NOT NULL,
                    event_type text NOT NULL,
                    status text NOT NULL DEFAULT 'pending',
                    attempts int NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    age_from timestamptz NOT NULL DEFAULT now(),
                    last_error text,
                    last_status int,
                    delivered_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (webhook_id, position)
                )
                """,
                "CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, position) WHERE status = 'pending'",
                // The admin's list of webhooks reads the registrations straight from the log (committed, not gap-safe).
                "CREATE INDEX events_webhook_registrations ON events (global_position) WHERE type = 'WebhookRegistered'",
            ]
        ),
    ]

    /// Applies every step not yet recorded. A transaction-scoped advisory lock makes concurrent
    /// starters queue; each re-reads what is applied after getting the lock.
    public static func apply(_ client: PostgresClient, logger: Logger) async throws {
        for step in steps {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7285160213)", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                    logger: logger)
                let rows = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = \(step.version)", logger: logger)
                var applied = false
                for try await _ in rows { applied = true }
                guard !applied else { return }
                for statement in step.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(step.version), \(step.name))", logger: logger)
                logger.info("applied migration", metadata: ["migration.version": "\(step.version)", "migration.name": "\(step.name)"])
            }
        }
    }
}
