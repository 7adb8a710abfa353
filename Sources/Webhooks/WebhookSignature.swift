import Crypto
import Foundation

/// The signature a receiver checks: `Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`,
/// with `<timestamp>` the `Webhook-Timestamp` header (Unix seconds). Signing the timestamp with the body
/// lets a receiver refuse old requests replayed at it.
public enum WebhookSignature {
    /// The header names.
    public static let idHeader = "Webhook-Id"
    public static let timestampHeader = "Webhook-Timestamp"
    public static let signatureHeader = "Webhook-Signature"

    /// The `Webhook-Signature` value for a body sent at `timestamp`.
    public static func sign(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is a valid `v1` signature of the body (compared in constant time).
    public static func verify(secret: String, timestamp: Int64, body: Data, signature: String) -> Bool {
        let expected = Array(sign(secret: secret, timestamp: timestamp, body: body).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
