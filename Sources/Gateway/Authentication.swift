import Commands
import Crypto
import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// Who sent a request.
enum Principal: Sendable, Equatable {
    case admin
    case user(String)
    /// No `Authorization` header, on a route that takes guests: only a guest's booking id lets it act.
    case guest

    /// The scope of idempotency keys (a guest's route narrows it to the guest's name or booking).
    var scope: String {
        switch self {
        case .admin: "admin"
        case .user(let id): id
        case .guest: "guest"
        }
    }

    var actor: Actor {
        switch self {
        case .admin: .admin
        case .user(let id): .user(id)
        case .guest: .guest
        }
    }

    /// The user a request acts for: a user for themselves, the admin for the user it names.
    func acting(for requested: String?) throws -> String {
        switch self {
        case .admin:
            guard let requested, Identifiers.isSane(requested) else { throw APIError.invalidRequest("userId is required with the admin token") }
            return requested
        case .user(let id):
            guard requested == nil || requested == id else { throw APIError.forbidden }
            return id
        case .guest:
            throw APIError.unauthorized
        }
    }

    var userId: String? {
        if case .user(let id) = self { return id }
        return nil
    }

    /// Who may read a booking: the admin, the user who booked it, and for a guest's booking (`guestName` set)
    /// whoever has its id. 403 for another user, 401 without a token on a registered user's booking.
    func mayRead(bookingOf owner: String, guestName: String?) throws {
        switch self {
        case .admin: return
        case .user(let id): guard id == owner else { throw APIError.forbidden }
        case .guest: guard guestName != nil else { throw APIError.unauthorized }
        }
    }
}

/// Bearer-token authentication: the configured admin token, or a user token from registration.
struct Authenticator: Sendable {
    let adminTokenDigest: SHA256.Digest
    let accounts: Accounts

    init(adminToken: String, accounts: Accounts) {
        self.adminTokenDigest = SHA256.hash(data: Data(adminToken.utf8))
        self.accounts = accounts
    }

    /// The principal of the request; 401 when the token is missing or unknown. With `guests`, a request
    /// without any `Authorization` header is a guest (a header that is there must still be valid).
    func principal(_ request: Request, guests: Bool = false) async throws -> Principal {
        if guests, request.headers[.authorization] == nil { return .guest }
        switch try await holder(request) {
        case nil: return .admin
        case .user(let userId)?: return .user(userId)
        // A scanner's token checks tickets in (`scanner(_:)`) and is refused everywhere else.
        case .scanner?: throw APIError.forbidden
        }
    }

    /// The door scanner that sent the request: 401 without a valid token, 403 with anyone else's.
    func scanner(_ request: Request) async throws -> Scanner {
        guard case .scanner(let scanner)? = try await holder(request) else { throw APIError.forbidden }
        return scanner
    }

    /// Who holds the request's token: nil for the admin; 401 when there is none or nobody holds it.
    private func holder(_ request: Request) async throws -> TokenOwner? {
        guard let token = bearer(request) else { throw APIError.unauthorized }
        let digest = TokenDigest(token)
        if isAdmin(digest) { return nil }
        guard Identifiers.isSane(token, maxLength: 256), let owner = try await accounts.owner(of: digest) else {
            throw APIError.unauthorized
        }
        return owner
    }

    /// Whether the request carries the admin token; never asks the database.
    func isAdmin(_ request: Request) -> Bool {
        bearer(request).map { isAdmin(TokenDigest($0)) } ?? false
    }

    /// Who the request is from as far as memory knows, for the rate limiter (which must not cause look-ups).
    enum Known: Equatable {
        case admin
        case user(String)
        /// No token, or one known to be bad.
        case anonymous
        /// A plausible token this gateway has not seen yet: only the database can tell.
        case unknown(TokenDigest)
    }

    func known(_ request: Request) -> Known {
        guard let token = bearer(request), Identifiers.isSane(token, maxLength: 256) else { return .anonymous }
        let digest = TokenDigest(token)
        if isAdmin(digest) { return .admin }
        switch accounts.known(digest) {
        case .owner(.user(let id)): return .user(id)
        case .owner(.scanner(let scanner)): return .user(scanner.id)
        case .invalid: return .anonymous
        case .unknown: return .unknown(digest)
        }
    }

    private func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count <= 512 else { return nil }
        return BearerToken.parse(header)
    }

    /// Compares digests, and `Digest ==` is swift-crypto's constant-time `safeCompare`: the time taken
    /// says nothing about how much of a guess was right.
    private func isAdmin(_ token: TokenDigest) -> Bool {
        token.digest == adminTokenDigest
    }

    /// The request must carry the admin token: 401 without a valid token, 403 with a user's.
    func requireAdmin(_ request: Request) async throws {
        guard try await principal(request) == .admin else { throw APIError.forbidden }
    }
}

/// The `Authorization: Bearer <token>` header, parsed in one place for authentication and rate limiting.
enum BearerToken {
    /// The token, or nil when the header is not a bearer credential.
    static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}
