import Crypto
import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// Refuses with 429 and `Retry-After` a client that exceeds its rate.
///
/// A request with a token this gateway knows counts against its user; anything else (no token, a bad or
/// unknown token) counts against the client's address, so inventing tokens buys no fresh buckets. A token
/// not yet in memory is charged to the address *before* the database is asked about it, so random
/// tokens cost at most the address's rate in look-ups (and unknown ones are then remembered briefly).
/// The admin token is not limited: it is the operator's, and throttling the operator in an incident helps nobody.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// A bucket: one user, or one client address (an IPv6 /64); `nil` address when the peer is unknown.
    enum Key: Hashable, Sendable {
        case user(String)
        case address(IPAddress?)
    }

    let limiter: RateLimiter<Key>
    let auth: Authenticator
    let trustedProxies: TrustedProxies
    /// Bound on the token look-up this middleware makes, as on every handler.
    let timeout: Duration

    init(limit: RateLimit, auth: Authenticator, trustedProxies: TrustedProxies, timeout: Duration) {
        limiter = RateLimiter(limit: limit)
        self.auth = auth
        self.trustedProxies = trustedProxies
        self.timeout = timeout
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = Key.address(
            trustedProxies.client(
                peer: context.remoteAddress?.ipAddress.flatMap { IPAddress($0) },
                forwardedFor: request.headers[values: .xForwardedFor])?.bucket)
        switch auth.known(request) {
        case .admin:
            break
        case .user(let id):
            try take(.user(id))
        case .anonymous:
            try take(address)
        case .unknown(let digest):
            // The look-up is what an attacker would make us pay for: the address pays first.
            try take(address)
            let auth = auth
            _ = try? await withDeadline(timeout) { try await auth.accounts.owner(of: digest) }
        }
        return try await next(request, context)
    }

    private func take(_ key: Key) throws {
        if let wait = limiter.take(key) { throw APIError.rateLimited(retryAfter: wait) }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
