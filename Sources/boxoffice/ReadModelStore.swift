import EventStore
import Projections

/// The read-model store this process uses: MongoDB when `MONGODB_URI` is set, else PostgreSQL.
/// One concrete type, so the gateway, projectors and workers stay generic over `DocumentStore`
/// and statically dispatched, whichever store is chosen at start.
enum ReadModelStore: DocumentStore {
    case postgresql(PostgresDocumentStore)
    case mongodb(MongoDocumentStore)

    var kind: String {
        switch self {
        case .postgresql(let store): store.kind
        case .mongodb(let store): store.kind
        }
    }

    func documents(_ keys: Set<DocumentKey>, generation: Int) async throws -> [DocumentKey: StoredDocument] {
        switch self {
        case .postgresql(let store): try await store.documents(keys, generation: generation)
        case .mongodb(let store): try await store.documents(keys, generation: generation)
        }
    }

    func commit(_ writes: [DocumentWrite], projection: String, generation: Int, checkpoint: Checkpoint, owner: String) async throws {
        switch self {
        case .postgresql(let store): try await store.commit(writes, projection: projection, generation: generation, checkpoint: checkpoint, owner: owner)
        case .mongodb(let store): try await store.commit(writes, projection: projection, generation: generation, checkpoint: checkpoint, owner: owner)
        }
    }

    func checkpoint(projection: String, generation: Int) async throws -> ProjectionPosition {
        switch self {
        case .postgresql(let store): try await store.checkpoint(projection: projection, generation: generation)
        case .mongodb(let store): try await store.checkpoint(projection: projection, generation: generation)
        }
    }

    func activeGeneration(projection: String) async throws -> Int {
        switch self {
        case .postgresql(let store): try await store.activeGeneration(projection: projection)
        case .mongodb(let store): try await store.activeGeneration(projection: projection)
        }
    }

    func activate(projection: String, generation: Int) async throws {
        switch self {
        case .postgresql(let store): try await store.activate(projection: projection, generation: generation)
        case .mongodb(let store): try await store.activate(projection: projection, generation: generation)
        }
    }

    func drop(projection: String, generation: Int) async throws {
        switch self {
        case .postgresql(let store): try await store.drop(projection: projection, generation: generation)
        case .mongodb(let store): try await store.drop(projection: projection, generation: generation)
        }
    }

    func get(_ collection: Collection, id: String) async throws -> StoredDocument? {
        switch self {
        case .postgresql(let store): try await store.get(collection, id: id)
        case .mongodb(let store): try await store.get(collection, id: id)
        }
    }

    func find(_ query: DocumentQuery) async throws -> [StoredDocument] {
        switch self {
        case .postgresql(let store): try await store.find(query)
        case .mongodb(let store): try await store.find(query)
        }
    }

    func appliedPosition(projection: String) async throws -> ProjectionPosition {
        switch self {
        case .postgresql(let store): try await store.appliedPosition(projection: projection)
        case .mongodb(let store): try await store.appliedPosition(projection: projection)
        }
    }
}
