internal import CMongoC
import Commands
import Foundation

/// Renders BSON as plain JSON: the inverse of `bson_new_from_json` for read-model bodies.
///
/// libbson's own `bson_as_relaxed_extended_json` prints doubles with `%.20g`, so a price of 9.99 comes
/// back as 9.9900000000000002132 and no longer decodes to the `Decimal` 9.99 that was written. Here a
/// double is printed in Swift's shortest form that parses back to the same double, so any decimal of up
/// to 15 significant digits (every price and amount) round-trips exactly. Int32 and Int64 are plain
/// numbers, Decimal128 its decimal text, datetimes ISO-8601 strings and ObjectIds their hex: never the
/// `{"$numberLong": …}` wrappers of extended JSON, which the read-model decoders would not understand.
enum BSONJSON {
    /// The whole document as a JSON object.
    static func json(of document: OpaquePointer) throws(MongoError) -> Data {
        var output: [UInt8] = []
        try BSONReader.withIterator(over: document) { iterator throws(MongoError) in
            try write(iterator, array: false, into: &output)
        }
        return Data(output)
    }

    /// The sub-document `field` as a JSON object; nil when the field is absent.
    static func json(of document: OpaquePointer, field: String) throws(MongoError) -> Data? {
        try BSONReader.withIterator(over: document) { iterator throws(MongoError) -> Data? in
            guard bson_iter_find(iterator, field) else { return nil }
            return try json(current: iterator)
        }
    }

    /// The sub-document the iterator is on, as a JSON object.
    static func json(current iterator: OpaquePointer) throws(MongoError) -> Data {
        guard bson_iter_type(iterator) == BSON_TYPE_DOCUMENT else {
            throw .invalidDocument("field \(BSONReader.key(iterator)) is not a document")
        }
        var output: [UInt8] = []
        try BSONReader.withChild(of: iterator) { child throws(MongoError) in try write(child, array: false, into: &output) }
        return Data(output)
    }

    private static func write(_ iterator: OpaquePointer, array: Bool, into output: inout [UInt8]) throws(MongoError) {
        output.append(array ? UInt8(ascii: "[") : UInt8(ascii: "{"))
        var first = true
        while bson_iter_next(iterator) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            if !array {
                writeString(UnsafeBufferPointer(start: bson_iter_key(iterator), count: Int(bson_iter_key_len(iterator))), into: &output)
                output.append(UInt8(ascii: ":"))
            }
            try writeValue(iterator, into: &output)
        }
        output.append(array ? UInt8(ascii: "]") : UInt8(ascii: "}"))
    }

    private static func writeValue(_ iterator: OpaquePointer, into output: inout [UInt8]) throws(MongoError) {
        switch bson_iter_type(iterator) {
        case BSON_TYPE_UTF8:
            var length: UInt32 = 0
            let bytes = bson_iter_utf8(iterator, &length)
            writeString(UnsafeBufferPointer(start: bytes, count: Int(length)), into: &output)
        case BSON_TYPE_INT32:
            output += Array(String(bson_iter_int32(iterator)).utf8)
        case BSON_TYPE_INT64:
            output += Array(String(bson_iter_int64(iterator)).utf8)
        case BSON_TYPE_DOUBLE:
            let number = bson_iter_double(iterator)
            guard number.isFinite else { throw .invalidDocument("\(number) in field \(BSONReader.key(iterator)) is not a JSON number") }
            output += Array(number.description.utf8)
        case BSON_TYPE_DECIMAL128:
            output += Array(try BSONReader.decimalText(iterator).utf8)
        case BSON_TYPE_BOOL:
            output += Array((bson_iter_bool(iterator) ? "true" : "false").utf8)
        case BSON_TYPE_NULL, BSON_TYPE_UNDEFINED:
            output += Array("null".utf8)
        case BSON_TYPE_DATE_TIME:
            let date = Date(timeIntervalSince1970: Double(bson_iter_date_time(iterator)) / 1000)
            writeString(Array(ISO8601.string(from: date).utf8), into: &output)
        case BSON_TYPE_OID:
            writeString(Array(BSONReader.objectIdHex(bson_iter_oid(iterator)).utf8), into: &output)
        case BSON_TYPE_DOCUMENT, BSON_TYPE_ARRAY:
            let array = bson_iter_type(iterator) == BSON_TYPE_ARRAY
            try BSONReader.withChild(of: iterator) { child throws(MongoError) in try write(child, array: array, into: &output) }
        case let other:
            throw .invalidDocument("BSON type 0x\(String(other.rawValue, radix: 16)) in field \(BSONReader.key(iterator)) has no JSON form")
        }
    }

    private static func writeString(_ text: UnsafeBufferPointer<CChar>, into output: inout [UInt8]) {
        text.withMemoryRebound(to: UInt8.self) { writeString($0, into: &output) }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, other UTF-8 as is.
    private static func writeString<Bytes: Sequence<UInt8>>(_ bytes: Bytes, into output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x00..<0x20: output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
