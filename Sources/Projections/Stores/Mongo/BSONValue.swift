import Foundation

/// A BSON value built in Swift: filters, commands and options for libmongoc are written as these,
/// then encoded into a `BSONDocument` inside the thread-pool job that uses them.
indirect enum BSONValue: Sendable, Equatable {
    case string(String)
    case int32(Int32)
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case null
    /// A BSON UTC datetime (milliseconds since the epoch).
    case date(Date)
    case document(BSONFields)
    case array([BSONValue])
}

/// An ordered list of fields: key order matters to MongoDB (a sort spec, a command's name first).
struct BSONFields: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    var pairs: [(key: String, value: BSONValue)]

    init(_ pairs: [(key: String, value: BSONValue)] = []) {
        self.pairs = pairs
    }

    init(dictionaryLiteral elements: (String, BSONValue)...) {
        pairs = elements.map { (key: $0.0, value: $0.1) }
    }

    mutating func append(_ key: String, _ value: BSONValue) {
        pairs.append((key: key, value: value))
    }

    static func == (lhs: BSONFields, rhs: BSONFields) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension BSONValue: ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(dictionaryLiteral elements: (String, BSONValue)...) { self = .document(BSONFields(elements.map { (key: $0.0, value: $0.1) })) }
    init(arrayLiteral elements: BSONValue...) { self = .array(elements) }
}
