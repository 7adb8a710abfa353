import Crypto
import Foundation
import Hummingbird

/// Refuses with 429 and `Retry-After` a token that exceeds its rate, keyed by the token's digest so no
/// token is kept in memory. The admin token is not limited: it is the operator's, and throttling the
/// operator in an incident helps nobody. Requests without a token (public reads, registration) are
/// not limited here: behind a proxy every client shares one address, so per-address limits belong at the edge.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// The first 128 bits of the token's SHA-256.
    struct Key: Hashable, Sendable {
        var high: UInt64
        var low: UInt64
    }

    let limiter: RateLimiter<Key>
    let adminTokenDigest: SHA256.Digest

    init(limit: RateLimit, adminToken: String) {
        limiter = RateLimiter(limit: limit)
        adminTokenDigest = SHA256.hash(data: Data(adminToken.utf8))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let key = key(request, context), let wait = limiter.take(key) {
            throw APIError.rateLimited(retryAfter: wait)
        }
        return try await next(request, context)
    }

    /// The bucket of the request; nil without a token and for the admin token.
    private func key(_ request: Request, _ context: Context) -> Key? {
        guard let header = request.headers[.authorization] else { return nil }
        let digest = SHA256.hash(data: Data((BearerToken.parse(header) ?? header).utf8))
        if digest == adminTokenDigest { return nil }
        return digest.withUnsafeBytes { bytes in
            Key(high: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), low: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }
}
