internal import CMongoC
import EventStore
import Foundation

/// How read-model documents, checkpoints and generations are written to and read from BSON.
enum MongoCodec {
    /// The guarded upsert of one document: the filter only matches a stored version older than the
    /// write's, so a redelivered or stale write matches nothing; its insert then collides on `_id`
    /// (duplicate key), which the bulk treats as "already newer".
    static func upsert(_ write: DocumentWrite) throws(MongoError) -> (filter: BSONFields, replacement: BSONDocument) {
        let body = try BSONDocument(json: write.body)
        let replacement = BSONDocument()
        try replacement.append("version", .int64(write.version))
        try replacement.append("body", document: body)
        return (["_id": .string(write.key.id), "version": ["$lt": .int64(write.version)]], replacement)
    }

    /// A stored read-model document back as JSON.
    static func stored(_ document: OpaquePointer) throws(MongoError) -> StoredDocument {
        try BSONReader.withIterator(over: document) { iterator throws(MongoError) in
            var id: String?
            var version: Int64?
            var body: Data?
            while bson_iter_next(iterator) {
                switch BSONReader.key(iterator) {
                case "_id": if case .string(let text) = try BSONReader.value(iterator) { id = text }
                case "version": version = BSONReader.int64(try BSONReader.value(iterator))
                case "body": body = try BSONJSON.json(current: iterator)
                default: break
                }
            }
            guard let id, let version, let body else {
                throw .invalidDocument("a read-model document needs a string _id, a numeric version and a body")
            }
            return StoredDocument(id: id, version: version, body: body)
        }
    }

    /// The monotonic checkpoint write: the filter matches only a checkpoint at or before the new one,
    /// so a late writer (a deposed leader) never moves a checkpoint back; its upsert then hits a
    /// duplicate key, which is "already further".
    static func checkpoint(
        projection: String, generation: Int, checkpoint: Checkpoint, owner: String, now: Date
    )
        -> (filter: BSONFields, replacement: BSONFields)
    {
        let transaction = BSONValue.int64(Int64(checkpoint.transactionId))
        let filter: BSONFields = [
            "_id": .string(MongoLayout.checkpointId(projection: projection, generation: generation)),
            "$or": [
                ["transactionId": ["$lt": transaction]],
                ["transactionId": transaction, "position": ["$lte": .int64(checkpoint.position)]],
            ],
        ]
        let replacement: BSONFields = [
            "projection": .string(projection), "generation": .int64(Int64(generation)),
            "transactionId": transaction, "position": .int64(checkpoint.position),
            "owner": .string(owner), "updatedAt": .date(now),
        ]
        return (filter, replacement)
    }

    /// A checkpoint document read back.
    static func position(_ fields: BSONFields) -> ProjectionPosition {
        func field(_ key: String) -> BSONValue? { fields.pairs.first { $0.key == key }?.value }
        let transaction = BSONReader.int64(field("transactionId")) ?? 0
        let position = BSONReader.int64(field("position")) ?? 0
        var updatedAt: Date?
        if case .date(let date)? = field("updatedAt") { updatedAt = date }
        return ProjectionPosition(
            checkpoint: Checkpoint(transactionId: UInt64(max(0, transaction)), position: position),
            updatedAt: updatedAt)
    }

    /// The generation stored for a projection (1 when none is: nothing was ever rebuilt).
    static func generation(_ fields: BSONFields?) -> Int {
        BSONReader.int64(fields?.pairs.first { $0.key == "generation" }?.value).map { Int($0) } ?? 1
    }
}
