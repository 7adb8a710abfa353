import Foundation

/// One spelling for every JSON text that means the same value, so that a request repeated under its
/// idempotency key with other spacing, key order, escapes or number forms (`1`, `1.0`, `1e0`) is known
/// for the same request. Written in one pass over the bytes: going through `JSONValue` and the shared
/// encoder cost 4 % of a gateway's CPU under W2, for a value that is only hashed.
///
/// The form: no whitespace; object members sorted by key (Unicode scalar order), the last of duplicate
/// keys kept; strings with only `"`, `\` and control characters escaped; integral numbers below 2^53
/// as integers, others as Swift's shortest round-trip `Double`.
public enum CanonicalJSON {
    /// The canonical form of `data`; nil when it is not one JSON value (or nests deeper than 64).
    public static func bytes(_ data: Data) -> [UInt8]? {
        data.withUnsafeBytes { raw in
            var cursor = JSONCursor(raw.bindMemory(to: UInt8.self))
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            guard cursor.canonicalValue(into: &out, depth: 0) else { return nil }
            cursor.skipSpace()
            return cursor.atEnd ? out : nil
        }
    }

    fileprivate static func write(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case ..<0x20:
                out += Array("\\u00".utf8) + [Self.hex(byte >> 4), Self.hex(byte & 0xF)]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
}

/// The parse of `CanonicalJSON`: each value read is written in canonical form to `out`.
extension JSONCursor {
    fileprivate mutating func canonicalValue(into out: inout [UInt8], depth: Int) -> Bool {
        guard depth < 64 else { return false }
        skipSpace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return object(into: &out, depth: depth)
        case UInt8(ascii: "["): return array(into: &out, depth: depth)
        case UInt8(ascii: "\""):
            guard let text = string() else { return false }
            CanonicalJSON.write(text, to: &out)
            return true
        case UInt8(ascii: "t"): return literal("true", into: &out)
        case UInt8(ascii: "f"): return literal("false", into: &out)
        case UInt8(ascii: "n"): return literal("null", into: &out)
        default: return number(into: &out)
        }
    }

    private mutating func object(into out: inout [UInt8], depth: Int) -> Bool {
        index += 1
        var members: [String: [UInt8]] = [:]
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            while true {
                skipSpace()
                guard let key = string() else { return false }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return false }
                var member: [UInt8] = []
                guard canonicalValue(into: &member, depth: depth + 1) else { return false }
                members[key] = member
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return false }
                break
            }
        }
        out.append(UInt8(ascii: "{"))
        for (offset, key) in members.keys.sorted(by: { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }).enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.write(key, to: &out)
            out.append(UInt8(ascii: ":"))
            out += members[key]!
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    private mutating func array(into out: inout [UInt8], depth: Int) -> Bool {
        index += 1
        out.append(UInt8(ascii: "["))
        skipSpace()
        if take(UInt8(ascii: "]")) {
            out.append(UInt8(ascii: "]"))
            return true
        }
        while true {
            guard canonicalValue(into: &out, depth: depth + 1) else { return false }
            skipSpace()
            if take(UInt8(ascii: ",")) {
                out.append(UInt8(ascii: ","))
                continue
            }
            guard take(UInt8(ascii: "]")) else { return false }
            out.append(UInt8(ascii: "]"))
            return true
        }
    }

    private mutating func literal(_ word: StaticString, into out: inout [UInt8]) -> Bool {
        let word = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= word.count, bytes[index..<index + word.count].elementsEqual(word) else { return false }
        index += word.count
        out += word
        return true
    }

    /// JSON's number grammar, compared by value.
    private mutating func number(into out: inout [UInt8]) -> Bool {
        let start = index
        _ = take(UInt8(ascii: "-"))
        guard digits() > 0 else { return false }
        if take(UInt8(ascii: ".")) { guard digits() > 0 else { return false } }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard digits() > 0 else { return false }
        }
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)), value.isFinite
        else { return false }
        let text = value.rounded() == value && abs(value) < 9_007_199_254_740_992 ? String(Int64(value)) : "\(value)"
        out += text.utf8
        return true
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    /// A string, its escapes resolved; nil when malformed or not UTF-8.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var scalars = String.UnicodeScalarView()
        let start = index
        var plain = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                if plain { return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) }
                return String(scalars)
            }
            guard byte >= 0x20 else { return nil }
            if byte == UInt8(ascii: "\\") {
                if plain {
                    guard let prefix = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    else { return nil }
                    scalars.append(contentsOf: prefix.unicodeScalars)
                    plain = false
                }
                index += 1
                guard let escaped = escape() else { return nil }
                scalars.append(escaped)
                continue
            }
            if plain {
                index += 1
                continue
            }
            // After an escape: copy up to the next quote or escape.
            let run = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
                index += 1
            }
            guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[run..<index]), as: UTF8.self) else { return nil }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        return nil
    }

    /// The character after a backslash (the index is on it).
    private mutating func escape() -> Unicode.Scalar? {
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{8}"
        case UInt8(ascii: "f"): return "\u{C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            guard let high = hex4() else { return nil }
            guard (0xD800..<0xDC00).contains(high) else { return Unicode.Scalar(high) }
            // A surrogate pair: the low half must follow as another \u escape.
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        default: return nil
        }
    }

    private mutating func hex4() -> UInt32? {
        guard bytes.count - index >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
