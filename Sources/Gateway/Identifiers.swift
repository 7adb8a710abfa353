import Crypto
import Foundation

/// Ids and secrets: random, URL-safe, unguessable.
enum Identifiers {
    private static let alphabet = Array("abcdefghijkmnopqrstuvwxyz23456789")

    /// A new id such as `bk_7f3kq2m9xv4a8cde`.
    static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + "_" + String((0..<16).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
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
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(_ text: String) -> String { sha256(Data(text.utf8)) }

    /// Whether a client-supplied id or key is bounded and printable.
    static func isSane(_ value: String, maxLength: Int = 128) -> Bool {
        !value.isEmpty && value.utf8.count <= maxLength
            && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }
}
