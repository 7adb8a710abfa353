import EventStore
import Foundation

/// A collection of documents owned by one projection (which decides its generation).
public struct Collection: Hashable, Sendable {
    public var projection: String
    public var name: String

    public init(projection: String, name: String) {
        self.projection = projection
        self.name = name
    }
}

/// Addresses one document.
public struct DocumentKey: Hashable, Sendable {
    public var collection: Collection
    public var id: String

    public init(_ collection: Collection, _ id: String) {
        self.collection = collection
        self.id = id
    }
}

/// A stored document: its JSON body and the version of its source stream last applied to it.
public struct StoredDocument: Sendable, Equatable {
    public var id: String
    public var version: Int64
    public var body: Data

    public init(id: String, version: Int64, body: Data) {
        self.id = id
        self.version = version
        self.body = body
    }
}

/// A document to write if newer than what is stored.
public struct DocumentWrite: Sendable {
    public var key: DocumentKey
    public var version: Int64
    public var body: Data

    public init(key: DocumentKey, version: Int64, body: Data) {
        self.key = key
        self.version = version
        self.body = body
    }
}

/// A query on top-level string fields, sorted with a keyset cursor.
public struct DocumentQuery: Sendable {
    public var collection: Collection
    /// Equality filters on top-level string fields.
    public var filters: [String: String]
    /// Top-level field to sort by (ties broken by id); nil sorts by id.
    public var sortField: String?
    public var descending: Bool
    public var limit: Int
    /// Continue after this (sort value, id).
    public var after: (sortValue: String, id: String)?

    public init(
        collection: Collection, filters: [String: String] = [:], sortField: String? = nil, descending: Bool = false,
        limit: Int = 100, after: (sortValue: String, id: String)? = nil
    ) {
        self.collection = collection
        self.filters = filters
        self.sortField = sortField
        self.descending = descending
        self.limit = limit
        self.after = after
    }
}

/// Where a projection stands in the log, and when it last moved.
public struct ProjectionPosition: Sendable, Equatable {
    public var checkpoint: Checkpoint
    public var updatedAt: Date?
}

/// A write into a generation that a rebuild has replaced; the writer should move to the active one.
public struct StaleGeneration: Error, Equatable {
    public var projection: String
    public var generation: Int
    public var active: Int
}

/// The read-model store. Writes are guarded by version (an older or equal version never overwrites),
/// and a projection's documents commit together with its checkpoint, so at-least-once delivery has an
/// exactly-once effect. Rebuilds write a fresh generation and switch atomically.
public protocol DocumentStore: Sendable {
    /// Which implementation this is (`postgresql`, `mongodb`).
    var kind: String { get }

    /// Documents of a given generation, for a projection applying events.
    func documents(_ keys: Set<DocumentKey>, generation: Int) async throws -> [DocumentKey: StoredDocument]
    /// Upserts each document whose stored version is older, and moves the projection's checkpoint,
    /// in one transaction. Throws `StaleGeneration` when `generation` is older than the active one.
    func commit(_ writes: [DocumentWrite], projection: String, generation: Int, checkpoint: Checkpoint, owner: String) async throws
    /// The checkpoint of a projection's generation (`.start` when it has none).
    func checkpoint(projection: String, generation: Int) async throws -> ProjectionPosition
    /// The generation queries read (1 until a rebuild switches).
    func activeGeneration(projection: String) async throws -> Int
    /// Switches queries to `generation` and forgets every other generation of the projection.
    func activate(projection: String, generation: Int) async throws
    /// Removes everything stored under a generation (an abandoned rebuild).
    func drop(projection: String, generation: Int) async throws

    /// One document of the active generation.
    func get(_ collection: Collection, id: String) async throws -> StoredDocument?
    /// Documents of the active generation matching a query.
    func find(_ query: DocumentQuery) async throws -> [StoredDocument]
    /// The checkpoint of the active generation: what queries reflect.
    func appliedPosition(projection: String) async throws -> ProjectionPosition
}
