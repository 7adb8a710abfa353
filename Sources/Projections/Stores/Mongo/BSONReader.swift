internal import CMongoC
import Foundation

/// Walks libbson documents with `bson_iter_t`.
enum BSONReader {
    /// Runs `body` with an iterator over `document`. libbson declares `bson_iter_t` 128-byte aligned,
    /// so Swift sees it as opaque and allocates its storage, with that alignment.
    static func withIterator<T>(
        over document: OpaquePointer, _ body: (OpaquePointer) throws(MongoError) -> T
    ) throws(MongoError) -> T {
        let iterator = allocateIterator()
        defer { deallocate(iterator) }
        guard bson_iter_init(iterator, document) else { throw .invalidDocument("corrupt BSON document") }
        return try body(iterator)
    }

    /// Runs `body` with an iterator over the document or array the iterator `parent` points at.
    static func withChild<T>(
        of parent: OpaquePointer, _ body: (OpaquePointer) throws(MongoError) -> T
    ) throws(MongoError) -> T {
        let child = allocateIterator()
        defer { deallocate(child) }
        guard bson_iter_recurse(parent, child) else { throw .invalidDocument("corrupt BSON sub-document") }
        return try body(child)
    }

    private static func allocateIterator() -> OpaquePointer {
        OpaquePointer(UnsafeMutableRawPointer.allocate(byteCount: boxoffice_bson_iter_size(), alignment: 128))
    }

    /// Frees storage from `allocateIterator` (or `allocateDocument`).
    static func deallocate(_ storage: OpaquePointer) {
        UnsafeMutableRawPointer(storage).deallocate()
    }

    /// Storage for a `bson_t` that libmongoc initialises itself (a reply).
    static func allocateDocument() -> OpaquePointer {
        OpaquePointer(UnsafeMutableRawPointer.allocate(byteCount: boxoffice_bson_size(), alignment: 128))
    }

    /// The key of the iterator's current field.
    static func key(_ iterator: OpaquePointer) -> String {
        String(cString: bson_iter_key(iterator))
    }

    /// The current field's UTF-8 string (may contain NUL, so read by length).
    static func string(_ iterator: OpaquePointer) -> String {
        var length: UInt32 = 0
        guard let bytes = bson_iter_utf8(iterator, &length) else { return "" }
        return bytes.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self)
        }
    }

    /// The top-level fields of a document as Swift values.
    static func fields(of document: OpaquePointer) throws(MongoError) -> BSONFields {
        try withIterator(over: document) { iterator throws(MongoError) in try fields(iterator) }
    }

    private static func fields(_ iterator: OpaquePointer) throws(MongoError) -> BSONFields {
        var fields = BSONFields()
        while bson_iter_next(iterator) {
            fields.append(key(iterator), try value(iterator))
        }
        return fields
    }

    /// The current field as a Swift value.
    static func value(_ iterator: OpaquePointer) throws(MongoError) -> BSONValue {
        switch bson_iter_type(iterator) {
        case BSON_TYPE_UTF8: return .string(string(iterator))
        case BSON_TYPE_INT32: return .int32(bson_iter_int32(iterator))
        case BSON_TYPE_INT64: return .int64(bson_iter_int64(iterator))
        case BSON_TYPE_DOUBLE: return .double(bson_iter_double(iterator))
        case BSON_TYPE_BOOL: return .bool(bson_iter_bool(iterator))
        case BSON_TYPE_NULL, BSON_TYPE_UNDEFINED: return .null
        case BSON_TYPE_DATE_TIME: return .date(Date(timeIntervalSince1970: Double(bson_iter_date_time(iterator)) / 1000))
        case BSON_TYPE_DOCUMENT:
            return .document(try withChild(of: iterator) { child throws(MongoError) in try fields(child) })
        case BSON_TYPE_ARRAY:
            return .array(try withChild(of: iterator) { child throws(MongoError) in try fields(child).pairs.map(\.value) })
        case BSON_TYPE_OID:
            return .string(objectIdHex(bson_iter_oid(iterator)))
        case BSON_TYPE_DECIMAL128:
            return .string(try decimalText(iterator))
        case let other:
            throw .invalidDocument("unsupported BSON type 0x\(String(other.rawValue, radix: 16)) in field \(key(iterator))")
        }
    }

    /// An ObjectId as its 24 hex digits.
    static func objectIdHex(_ oid: UnsafePointer<bson_oid_t>?) -> String {
        guard let oid else { return "" }
        var text = [CChar](repeating: 0, count: 25)
        bson_oid_to_string(oid, &text)
        return Self.string(nulTerminated: text)
    }

    /// A Decimal128 as decimal text (what a JSON number needs); NaN and infinities are refused.
    static func decimalText(_ iterator: OpaquePointer) throws(MongoError) -> String {
        var decimal = bson_decimal128_t()
        guard bson_iter_decimal128(iterator, &decimal) else { throw .invalidDocument("corrupt Decimal128") }
        var text = [CChar](repeating: 0, count: Int(BSON_DECIMAL128_STRING))
        bson_decimal128_to_string(&decimal, &text)
        let result = Self.string(nulTerminated: text)
        guard result.first.map({ $0.isNumber || $0 == "-" }) == true, !result.contains("N"), !result.contains("I") else {
            throw .invalidDocument("Decimal128 \(result) is not a JSON number")
        }
        return result
    }

    private static func string(nulTerminated text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An Int64 field read leniently (a number stored as int32 or a whole double counts too).
    static func int64(_ value: BSONValue?) -> Int64? {
        switch value {
        case .int64(let number)?: number
        case .int32(let number)?: Int64(number)
        case .double(let number)? where number == number.rounded() && abs(number) < 9.0e15: Int64(number)
        default: nil
        }
    }
}
