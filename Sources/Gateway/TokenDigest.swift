import Crypto
import Foundation

/// A bearer token's SHA-256, computed once per request: the admin check, the token caches and the
/// database look-up all work from it. Only the digest is kept, never the token.
struct TokenDigest: Hashable, Sendable {
    let digest: SHA256.Digest

    init(_ token: String) {
        digest = SHA256.hash(data: Data(token.utf8))
    }

    /// How the log stores it (`UserRegistered.tokenHash`).
    var hex: String { Identifiers.hex(digest) }
}
