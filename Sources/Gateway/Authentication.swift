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

    /// The scope of idempotency keys.
    var scope: String {
        switch self {
        case .admin: "admin"
        case .user(let id): id
        }
    }

    var actor: Actor {
        switch self {
        case .admin: .admin
        case .user(let id): .user(id)
        }
    }

    var userId: String? {
        if case .user(let id) = self { return id }
        return nil
    }
}

/// Bearer-token authentication: the configured admin token, or a user token from registration.
struct Authenticator<Store: EventStore>: Sendable {
    let adminTokenDigest: SHA256.Digest
    let accounts: Accounts<Store>

    init(adminToken: String, accounts: Accounts<Store>) {
        self.adminTokenDigest = SHA256.hash(data: Data(adminToken.utf8))
        self.accounts = accounts
    }

    /// The principal of the request; 401 when the token is missing or unknown.
    func principal(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization], header.count <= 512,
              let token = BearerToken.parse(header) else { throw APIError.unauthorized }
        // Comparing digests keeps the comparison time independent of where the strings differ.
        if SHA256.hash(data: Data(token.utf8)) == adminTokenDigest { return .admin }
        guard Identifiers.isSane(token, maxLength: 256), let userId = try await accounts.userId(forToken: token) else {
            throw APIError.unauthorized
        }
        return .user(userId)
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
