import EventStore
import Foundation
import Logging
import NIOPosix
import Synchronization

/// Read models in MongoDB through libmongoc, the production store (`MONGODB_URI`).
///
/// One `mongoc_client_pool_t` per store (make one store per process) and every blocking libmongoc call
/// on a thread pool. Documents are `{_id, version, body}` in `<projection>.<collection>.g<generation>`;
/// writes are upserts guarded by version; checkpoints and the active generation of each projection
/// live in their own collections (see `MongoLayout`).
public struct MongoDocumentStore: DocumentStore {
    let connection: MongoConnection
    let logger: Logger
    let indexed: IndexedCollections

    /// Opens the pool for `uri` (nothing connects until the first call). Blocking calls run on `threads`
    /// threads of the store's own; at most `admitLimit` calls run or wait at once, more are refused.
    public init(uri: String, logger: Logger, threads: Int = 8, admitLimit: Int = 64, appName: String = "boxoffice") throws(MongoError) {
        connection = try MongoConnection(uri: uri, appName: appName, threads: threads, admitLimit: admitLimit, logger: logger)
        self.logger = logger
        indexed = IndexedCollections()
    }

    public var kind: String { "mongodb" }

    public func documents(_ keys: Set<DocumentKey>, generation: Int) async throws -> [DocumentKey: StoredDocument] {
        guard !keys.isEmpty else { return [:] }
        let byCollection = Dictionary(grouping: keys, by: \.collection).sorted { $0.key.name < $1.key.name }
        return try await connection.run { client in
            var found: [DocumentKey: StoredDocument] = [:]
            for (collection, keys) in byCollection {
                let ids = BSONValue.array(keys.map(\.id).sorted().map { .string($0) })
                let documents = try client.find(
                    MongoLayout.collection(collection, generation: generation),
                    filter: ["_id": ["$in": ids]], MongoCodec.stored)
                for document in documents { found[DocumentKey(collection, document.id)] = document }
            }
            return found
        }
    }

    public func checkpoint(projection: String, generation: Int) async throws -> ProjectionPosition {
        try await connection.run { try Self.checkpoint($0, projection: projection, generation: generation) }
    }

    public func activeGeneration(projection: String) async throws -> Int {
        try await connection.run { try Self.activeGeneration($0, projection: projection) }
    }

    public func get(_ collection: Collection, id: String) async throws -> StoredDocument? {
        try await connection.run { client in
            let generation = try Self.activeGeneration(client, projection: collection.projection)
            return try client.find(
                MongoLayout.collection(collection, generation: generation), filter: ["_id": .string(id)],
                options: ["limit": .int64(1)], MongoCodec.stored
            ).first
        }
    }

    public func find(_ query: DocumentQuery) async throws -> [StoredDocument] {
        let translated = try MongoQuery(query)
        // MongoDB reads a limit of 0 as "no limit"; the contract (and PostgreSQL's LIMIT 0) is "nothing".
        guard query.limit > 0 else { return [] }
        let collection = query.collection
        return try await connection.run { client in
            let generation = try Self.activeGeneration(client, projection: collection.projection)
            return try client.find(
                MongoLayout.collection(collection, generation: generation), filter: translated.filter,
                options: translated.options, MongoCodec.stored)
        }
    }

    public func appliedPosition(projection: String) async throws -> ProjectionPosition {
        try await connection.run { client in
            let generation = try Self.activeGeneration(client, projection: projection)
            return try Self.checkpoint(client, projection: projection, generation: generation)
        }
    }

    static func activeGeneration(_ client: MongoClient, projection: String) throws(MongoError) -> Int {
        let found = try client.find(MongoLayout.generations, filter: ["_id": .string(projection)], options: ["limit": .int64(1)]) {
            document throws(MongoError) in try BSONReader.fields(of: document)
        }
        return MongoCodec.generation(found.first)
    }

    static func checkpoint(_ client: MongoClient, projection: String, generation: Int) throws(MongoError) -> ProjectionPosition {
        let id = MongoLayout.checkpointId(projection: projection, generation: generation)
        let found = try client.find(MongoLayout.checkpoints, filter: ["_id": .string(id)], options: ["limit": .int64(1)]) {
            document throws(MongoError) in try BSONReader.fields(of: document)
        }
        return found.first.map(MongoCodec.position) ?? ProjectionPosition(checkpoint: .start, updatedAt: nil)
    }
}

/// Physical collections this process has already given their indexes, so each gets one
/// `createIndexes` before its first write rather than one per batch.
final class IndexedCollections: Sendable {
    private let names = Mutex<Set<String>>([])

    func contains(_ name: String) -> Bool { names.withLock { $0.contains(name) } }
    func insert(_ name: String) { _ = names.withLock { $0.insert(name) } }
    func remove(_ name: String) { _ = names.withLock { $0.remove(name) } }
}
