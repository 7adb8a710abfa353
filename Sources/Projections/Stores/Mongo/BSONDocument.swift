internal import CMongoC
import Foundation

/// An owned libbson document. It is destroyed when the wrapper goes away, so every path (returns,
/// throws) frees it. Not `Sendable`: one is made, used and dropped inside one thread-pool job.
final class BSONDocument {
    let pointer: OpaquePointer

    /// An empty document.
    init() {
        pointer = bson_new()
    }

    /// Takes ownership of a heap document made by libbson (`bson_new*`, `bson_copy`).
    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    /// A document with `fields`, in order.
    convenience init(_ fields: BSONFields) throws(MongoError) {
        self.init()
        for (key, value) in fields.pairs { try append(key, value) }
    }

    /// Parses a JSON object with libbson's `bson_new_from_json`: integers become int32 or int64, other
    /// numbers doubles, strings UTF-8 (Unicode escapes decoded), nested objects and arrays alike.
    convenience init(json: Data) throws(MongoError) {
        // libbson would also accept a top-level array (as a document keyed "0", "1", …); bodies are objects.
        guard json.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else {
            throw .invalidDocument("a document body must be a JSON object")
        }
        var error = bson_error_t()
        let parsed = json.withUnsafeBytes { raw in
            bson_new_from_json(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &error)
        }
        guard let parsed else { throw .invalidDocument(MongoError.message(of: error)) }
        self.init(owning: parsed)
    }

    /// A copy of a document libmongoc lends (a cursor's current document lives only until the next call).
    convenience init(copying borrowed: OpaquePointer) {
        self.init(owning: bson_copy(borrowed))
    }

    deinit {
        bson_destroy(pointer)
    }

    /// Appends one field; fails only when the document would outgrow BSON's size limit.
    func append(_ key: String, _ value: BSONValue) throws(MongoError) {
        let appended: Bool = key.withCString { name in
            let length = Int32(strlen(name))
            switch value {
            case .string(let text):
                // Explicit length: a string may hold NUL, and a NULL pointer would mean BSON null to libbson.
                return text.withCString { bson_append_utf8(pointer, name, length, $0, Int32(text.utf8.count)) }
            case .int32(let number):
                return bson_append_int32(pointer, name, length, number)
            case .int64(let number):
                return bson_append_int64(pointer, name, length, number)
            case .double(let number):
                return bson_append_double(pointer, name, length, number)
            case .bool(let flag):
                return bson_append_bool(pointer, name, length, flag)
            case .null:
                return bson_append_null(pointer, name, length)
            case .date(let date):
                return bson_append_date_time(pointer, name, length, Int64((date.timeIntervalSince1970 * 1000).rounded()))
            case .document(let fields):
                guard let child = try? BSONDocument(fields) else { return false }
                return bson_append_document(pointer, name, length, child.pointer)
            case .array(let items):
                let fields = BSONFields(items.enumerated().map { (key: String($0.offset), value: $0.element) })
                guard let child = try? BSONDocument(fields) else { return false }
                return bson_append_array(pointer, name, length, child.pointer)
            }
        }
        guard appended else { throw .invalidDocument("field \(key) does not fit in a BSON document") }
    }

    /// Appends a copy of another document as a sub-document.
    func append(_ key: String, document: BSONDocument) throws(MongoError) {
        let appended = key.withCString { bson_append_document(pointer, $0, Int32(strlen($0)), document.pointer) }
        guard appended else { throw .invalidDocument("field \(key) does not fit in a BSON document") }
    }

    /// The top-level fields as Swift values (for small documents: checkpoints, replies).
    func fields() throws(MongoError) -> BSONFields {
        try BSONReader.fields(of: pointer)
    }

    /// One top-level field as a Swift value, or nil when absent.
    subscript(key: String) -> BSONValue? {
        (try? fields())?.pairs.first { $0.key == key }?.value
    }

    /// The sub-document `key` rendered as JSON (see `BSONJSON`), or nil when absent.
    func json(of key: String) throws(MongoError) -> Data? {
        try BSONJSON.json(of: pointer, field: key)
    }

    /// The whole document rendered as JSON.
    func json() throws(MongoError) -> Data {
        try BSONJSON.json(of: pointer)
    }
}
