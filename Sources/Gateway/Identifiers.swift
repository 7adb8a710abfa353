import Crypto
import Foundation

/// Ids and secrets: random, URL-safe, unguessable.
enum Identifiers {
    private static let alphabet = Array("abcdefghijkmnopqrstuvwxyz23456789")

    /// A new id such as `bk_7f3kq2m9xv4a8cde`.
    static func make(_ prefix: String) -> String {
        // Two draws of 64 bits, eight letters each (33^8 < 2^41): every request gets an id, and a draw is a
        // system call, so not one per letter.
        var generator = SystemRandomNumberGenerator()
        var letters: [Character] = []
        letters.reserveCapacity(16)
        for _ in 0..<2 {
            var bits = generator.next()
            for _ in 0..<8 {
                letters.append(alphabet[Int(bits % UInt64(alphabet.count))])
                bits /= UInt64(alphabet.count)
            }
        }
        return prefix + "_" + String(letters)
    }

    /// A bearer token: 256 random bits, base64url.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "bo_"
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Hex SHA-256, how tokens are stored and how requests are fingerprinted.
    static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex; `String(format:)` per byte costs more than the hash itself.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func sha256(_ text: String) -> String { sha256(Data(text.utf8)) }

    /// Whether a client-supplied id or key is bounded and printable.
    static func isSane(_ value: String, maxLength: Int = 128) -> Bool {
        !value.isEmpty && value.utf8.count <= maxLength
            && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }
}
