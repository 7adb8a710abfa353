import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// One command request: who sent it, its body, and its idempotency key, resolved once per request.
struct CommandRequest: Sendable {
    let principal: Principal
    let body: Data
    /// Fingerprint of the request; empty when it carries no `Idempotency-Key`.
    let requestHash: String
    let key: IdempotencyKey?
    let metadata: EventMetadata
    /// Where the ids this command touches are noted for the request log.
    let notes: RequestNotes

    /// Authenticates (unless `open`), reads the bounded body and the `Idempotency-Key`.
    static func read(_ request: inout Request, context: AppRequestContext, backend: Backend,
                            open: Bool = false) async throws -> CommandRequest {
        let principal: Principal? = open ? nil : try await backend.auth.principal(request)
        context.notes.note(userId: principal?.userId)
        let body = try await JSONBody.bytes(&request)
        let rawKey = request.headers[.idempotencyKey]
        if let rawKey, !Identifiers.isSane(rawKey, maxLength: 255) {
            throw APIError.invalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")
        }
        // Only a request with a key is ever compared with another, so only it pays for a fingerprint.
        let hash = rawKey == nil ? "" : fingerprint(body, method: request.method.rawValue, path: request.uri.path)
        let scope = principal?.scope ?? "anonymous"
        return CommandRequest(
            principal: principal ?? .user("anonymous"), body: body, requestHash: hash,
            key: rawKey.map { IdempotencyKey(principal: scope, key: $0) },
            metadata: EventMetadata(
                correlationId: context.requestId, userId: principal?.userId, idempotencyKey: rawKey,
                gatewayId: backend.settings.gatewayId),
            notes: context.notes)
    }

    /// Ignores formatting: the same JSON sent with other spacing or key order is the same request.
    private static func fingerprint(_ body: Data, method: String, path: String) -> String {
        let canonical = (try? JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
                                                     options: [.sortedKeys, .fragmentsAllowed])) ?? body
        return Identifiers.sha256(Data("\(method) \(path)\n".utf8) + canonical)
    }

    /// The same request with its idempotency key in another scope.
    func scoped(_ scope: String) -> CommandRequest {
        CommandRequest(principal: principal, body: body, requestHash: requestHash,
                       key: key.map { IdempotencyKey(principal: scope, key: $0.key) }, metadata: metadata, notes: notes)
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONBody.decode(type, from: body)
    }

    /// Runs `action` unless this key already has a response: then replays it, or refuses a
    /// different request under the same key. A command that fails while a concurrent twin with
    /// the same key succeeded answers with the twin's response.
    func idempotent(_ backend: Backend, _ action: () async throws -> StoredResponse) async throws -> Response {
        if let key, let stored = try await backend.store.storedResponse(for: key) {
            return try replay(stored)
        }
        do {
            return Self.response(try await action())
        } catch {
            if let key, let stored = try? await backend.store.storedResponse(for: key) {
                return try replay(stored)
            }
            throw error
        }
    }

    /// A stored response rendered for this request.
    func stored(status: HTTPResponse.Status, body: some Encodable, position: Int64) throws -> StoredResponse {
        StoredResponse(status: Int(status.code), body: try JSONResponse.encode(body), position: position, requestHash: requestHash)
    }

    private func replay(_ stored: StoredResponse) throws -> Response {
        guard stored.requestHash == requestHash else { throw APIError.idempotencyKeyReused }
        var response = Self.response(stored)
        response.headers[.idempotentReplayed] = "true"
        return response
    }

    static func response(_ stored: StoredResponse) -> Response {
        JSONResponse.make(status: HTTPResponse.Status(code: stored.status), data: stored.body,
                          headers: [.xPosition: String(stored.position)])
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let xPosition = Self("X-Position")!
    static let xRequestId = Self("X-Request-Id")!
    static let xReadModelPosition = Self("X-Read-Model-Position")!
}
