import EventStore
import Foundation
import Logging
import PostgresNIO

/// Read models as JSONB rows in PostgreSQL: the default store, and the one CI runs.
public struct PostgresDocumentStore: DocumentStore {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public var kind: String { "postgresql" }

    public func documents(_ keys: Set<DocumentKey>, generation: Int) async throws -> [DocumentKey: StoredDocument] {
        try await PostgresErrors.translating {
            guard let projection = keys.first?.collection.projection else { return [:] }
            let list = Array(keys)
            let rows = try await client.query(
                """
                SELECT d.collection, d.id, d.version, d.body::text
                FROM unnest(\(list.map(\.collection.name))::text[], \(list.map(\.id))::text[]) AS k(collection, id)
                JOIN documents d ON d.projection = \(projection) AND d.generation = \(generation)
                                AND d.collection = k.collection AND d.id = k.id
                """, logger: logger)
            var found: [DocumentKey: StoredDocument] = [:]
            for try await (collection, id, version, body) in rows.decode((String, String, Int64, String).self) {
                found[DocumentKey(Collection(projection: projection, name: collection), id)] =
                    StoredDocument(id: id, version: version, body: Data(body.utf8))
            }
            return found
        }
    }

    public func commit(_ writes: [DocumentWrite], projection: String, generation: Int, checkpoint: Checkpoint, owner: String) async throws {
        try await PostgresErrors.translating {
            try await client.withTransaction(logger: logger) { connection in
                // Lock order: the generation row first, then documents (as `activate` does), so a switch
                // and a commit never deadlock; a commit into a generation older than the active one is refused.
                // One statement creates the row when missing, locks it and reads the active generation.
                let rows = try await connection.query(
                    """
                    INSERT INTO projection_generations (projection, generation) VALUES (\(projection), 1)
                    ON CONFLICT (projection) DO UPDATE SET generation = projection_generations.generation
                    RETURNING generation
                    """, logger: logger)
                for try await active in rows.decode(Int.self) where generation < active {
                    throw StaleGeneration(projection: projection, generation: generation, active: active)
                }
                if !writes.isEmpty {
                    // The version guard makes a redelivered or stale write a no-op.
                    try await connection.query(
                        """
                        INSERT INTO documents (projection, generation, collection, id, version, body)
                        SELECT \(projection), \(generation), c, i, v, b::jsonb
                        FROM unnest(\(writes.map(\.key.collection.name))::text[], \(writes.map(\.key.id))::text[],
                                    \(writes.map(\.version))::int8[], \(writes.map { String(decoding: $0.body, as: UTF8.self) })::text[])
                             AS w(c, i, v, b)
                        ON CONFLICT (projection, generation, collection, id) DO UPDATE
                        SET version = EXCLUDED.version, body = EXCLUDED.body
                        WHERE documents.version < EXCLUDED.version
                        """, logger: logger)
                }
                try await connection.query(
                    """
                    INSERT INTO projection_checkpoints (projection, generation, transaction_id, position, owner, updated_at)
                    VALUES (\(projection), \(generation), \(Int64(checkpoint.transactionId)), \(checkpoint.position), \(owner), now())
                    ON CONFLICT (projection, generation) DO UPDATE
                    SET transaction_id = EXCLUDED.transaction_id, position = EXCLUDED.position, owner = EXCLUDED.owner, updated_at = now()
                    WHERE (projection_checkpoints.transaction_id, projection_checkpoints.position)
                          <= (EXCLUDED.transaction_id, EXCLUDED.position)
                    """, logger: logger)
            }
        }
    }

    public func checkpoint(projection: String, generation: Int) async throws -> ProjectionPosition {
        try await PostgresErrors.translating {
            try await position(
                """
                SELECT transaction_id, position, updated_at FROM projection_checkpoints
                WHERE projection = \(projection) AND generation = \(generation)
                """)
        }
    }

    public func activeGeneration(projection: String) async throws -> Int {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                "SELECT generation FROM projection_generations WHERE projection = \(projection)", logger: logger)
            for try await generation in rows.decode(Int.self) { return generation }
            return 1
        }
    }

    public func activate(projection: String, generation: Int) async throws {
        try await PostgresErrors.translating {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO projection_generations (projection, generation) VALUES (\(projection), \(generation))
                    ON CONFLICT (projection) DO UPDATE SET generation = EXCLUDED.generation
                    """, logger: logger)
                try await connection.query(
                    "SELECT generation FROM projection_generations WHERE projection = \(projection) FOR UPDATE", logger: logger)
                try await connection.query(
                    "DELETE FROM documents WHERE projection = \(projection) AND generation <> \(generation)", logger: logger)
                try await connection.query(
                    "DELETE FROM projection_checkpoints WHERE projection = \(projection) AND generation <> \(generation)", logger: logger)
            }
        }
    }

    public func drop(projection: String, generation: Int) async throws {
        try await PostgresErrors.translating {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "DELETE FROM documents WHERE projection = \(projection) AND generation = \(generation)", logger: logger)
                try await connection.query(
                    "DELETE FROM projection_checkpoints WHERE projection = \(projection) AND generation = \(generation)", logger: logger)
            }
        }
    }

    private func position(_ query: PostgresQuery) async throws -> ProjectionPosition {
        let rows = try await client.query(query, logger: logger)
        for try await (transaction, position, updatedAt) in rows.decode((Int64, Int64, Date).self) {
            return ProjectionPosition(checkpoint: Checkpoint(transactionId: UInt64(transaction), position: position), updatedAt: updatedAt)
        }
        return ProjectionPosition(checkpoint: .start, updatedAt: nil)
    }
}

extension PostgresDocumentStore {

    public func get(_ collection: Collection, id: String) async throws -> StoredDocument? {
        try await PostgresErrors.translating {
            let rows = try await client.query(
                """
                SELECT id, version, body::text FROM documents
                WHERE projection = \(collection.projection) AND collection = \(collection.name) AND id = \(id)
                  AND generation = coalesce((SELECT generation FROM projection_generations WHERE projection = \(collection.projection)), 1)
                """, logger: logger)
            for try await (id, version, body) in rows.decode((String, Int64, String).self) {
                return StoredDocument(id: id, version: version, body: Data(body.utf8))
            }
            return nil
        }
    }

    public func find(_ query: DocumentQuery) async throws -> [StoredDocument] {
        try await PostgresErrors.translating {
            var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 8)
            let collection = query.collection
            sql.appendLiteral("SELECT id, version, body::text FROM documents WHERE projection = ")
            sql.appendInterpolation(collection.projection)
            sql.appendLiteral(" AND collection = ")
            sql.appendInterpolation(collection.name)
            sql.appendLiteral(" AND generation = coalesce((SELECT generation FROM projection_generations WHERE projection = ")
            sql.appendInterpolation(collection.projection)
            sql.appendLiteral("), 1)")
            for (field, value) in query.filters.sorted(by: { $0.key < $1.key }) {
                sql.appendLiteral(" AND body->>'\(try Self.field(field))' = ")
                sql.appendInterpolation(value)
            }
            let sortExpression = try query.sortField.map { "coalesce(body->>'\(try Self.field($0))', '')" } ?? "id"
            let direction = query.descending ? "DESC" : "ASC"
            if let after = query.after {
                sql.appendLiteral(" AND (\(sortExpression), id) \(query.descending ? "<" : ">") (")
                sql.appendInterpolation(after.sortValue)
                sql.appendLiteral(", ")
                sql.appendInterpolation(after.id)
                sql.appendLiteral(")")
            }
            sql.appendLiteral(" ORDER BY \(sortExpression) \(direction), id \(direction) LIMIT ")
            sql.appendInterpolation(query.limit)
            let rows = try await client.query(PostgresQuery(stringInterpolation: sql), logger: logger)
            var documents: [StoredDocument] = []
            for try await (id, version, body) in rows.decode((String, Int64, String).self) {
                documents.append(StoredDocument(id: id, version: version, body: Data(body.utf8)))
            }
            return documents
        }
    }

    public func appliedPosition(projection: String) async throws -> ProjectionPosition {
        try await PostgresErrors.translating {
            try await position(
                """
                SELECT transaction_id, position, updated_at FROM projection_checkpoints
                WHERE projection = \(projection)
                  AND generation = coalesce((SELECT generation FROM projection_generations WHERE projection = \(projection)), 1)
                """)
        }
    }

    /// Field names are spliced into SQL, so only plain identifiers pass.
    static func field(_ name: String) throws -> String {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw InvalidField(name: name)
        }
        return name
    }

    struct InvalidField: Error {
        var name: String
    }
}
