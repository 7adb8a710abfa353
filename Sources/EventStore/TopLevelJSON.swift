import Commands
import Foundation

/// Reads one string field at the top level of a JSON object without decoding the rest. The read models ask
/// every event which booking it names several times per batch (the keys to load, the keys it creates,
/// the apply), and a full `JSONDecoder` pass per question was 2 % of a gateway's CPU under W2.
public enum TopLevelJSON {
    /// The string value of `key` in the object `data`; nil when the key is absent or its value is not a
    /// string. Anything this scanner does not read plainly (an escape in a key or in the value, malformed
    /// input) is answered by `JSONDecoder` instead, so the answer is always the decoder's.
    public static func string(_ key: StaticString, in data: Data) -> String? {
        let found = data.withUnsafeBytes { raw -> Scan in
            let wanted = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
            var cursor = JSONCursor(raw.bindMemory(to: UInt8.self))
            return cursor.topLevelField(wanted)
        }
        switch found {
        case .value(let value): return value
        case .absent: return nil
        case .unsure: return (try? EventJSON.decoder.decode([String: JSONScalar].self, from: data))?["\(key)"]?.string
        }
    }

    enum Scan {
        case value(String)
        case absent
        case unsure
    }

    /// A top-level value as the fallback decodes it: a string, or anything else.
    private enum JSONScalar: Decodable {
        case string(String)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            self = (try? container.decode(String.self)).map { .string($0) } ?? .other
        }

        var string: String? {
            if case .string(let value) = self { return value }
            return nil
        }
    }
}

/// The scan of `TopLevelJSON`.
extension JSONCursor {
    fileprivate mutating func topLevelField(_ wanted: UnsafeBufferPointer<UInt8>) -> TopLevelJSON.Scan {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return .unsure }
        skipSpace()
        if take(UInt8(ascii: "}")) { return .absent }
        while true {
            skipSpace()
            guard let key = plainString() else { return .unsure }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return .unsure }
            skipSpace()
            if key.elementsEqual(wanted) {
                guard index < bytes.count else { return .unsure }
                guard bytes[index] == UInt8(ascii: "\"") else { return skipValue() ? .absent : .unsure }
                guard let value = plainString() else { return .unsure }
                return .value(String(decoding: value, as: UTF8.self))
            }
            guard skipValue() else { return .unsure }
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}")) ? .absent : .unsure
        }
    }

    /// A string without escapes (its bytes between the quotes); nil for anything else.
    private mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return UnsafeBufferPointer(rebasing: bytes[start..<index])
            case UInt8(ascii: "\\"): return nil
            default: index += 1
            }
        }
        return nil
    }

    /// Skips one value of any kind, strings with escapes included; false when the input ends first.
    private mutating func skipValue() -> Bool {
        var depth = 0
        var inString = false
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return true }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 {
                    index -= 1
                    return true
                }
                depth -= 1
                if depth == 0 { return true }
            case UInt8(ascii: ","):
                if depth == 0 {
                    index -= 1
                    return true
                }
            default: break
            }
        }
        return depth == 0 && !inString
    }
}
