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
    /// `METHOD path`: the fingerprint covers it with the body.
    let target: String
    let key: IdempotencyKey?
    let metadata: EventMetadata
    /// Where the ids this command touches are noted for the request log.
    let notes: RequestNotes

    /// Authenticates (unless `open`; a request without a token is a guest when `guests`), reads the
    /// bounded body and the `Idempotency-Key`.
    static func read(
        _ request: inout Request, context: AppRequestContext, intake: CommandIntake,
        open: Bool = false, guests: Bool = false
    ) async throws -> CommandRequest {
        let principal: Principal? = open ? nil : try await intake.auth.principal(request, guests: guests)
        context.notes.note(userId: principal?.userId)
        let body = try await JSONBody.bytes(&request)
        let rawKey = request.headers[.idempotencyKey]
        if let rawKey, !Identifiers.isSane(rawKey, maxLength: 255) {
            throw APIError.invalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")
        }
        // Only a request with a key is ever compared with another, so only it pays for a fingerprint.
        let target = "\(request.method.rawValue) \(request.uri.path)\n"
        let hash = rawKey == nil ? "" : fingerprint(body, target: target)
        let scope = principal?.scope ?? "anonymous"
        return CommandRequest(
            principal: principal ?? .user("anonymous"), body: body, requestHash: hash, target: target,
            key: rawKey.map { IdempotencyKey(principal: scope, key: $0) },
            metadata: EventMetadata(
                correlationId: context.requestId, userId: principal?.userId, idempotencyKey: rawKey,
                gatewayId: intake.gatewayId),
            notes: context.notes)
    }

    /// Ignores formatting: the same JSON sent with other spacing or key order is the same request.
    /// Versioned, because keys stored before it (kept a day) hold an older form (`storedFingerprint`).
    private static func fingerprint(_ body: Data, target: String) -> String {
        "v3:" + Identifiers.sha256(Data(target.utf8) + (CanonicalJSON.bytes(body).map { Data($0) } ?? body))
    }

    /// Whether a fingerprint stored with a key is this request's, in the form it was stored in.
    private func matches(_ stored: String) -> Bool {
        if stored == requestHash { return true }
        if stored.hasPrefix("v3:") { return false }
        if stored.hasPrefix("v2:") { return stored == Self.fingerprintV2(body, target: target) }
        return stored == Self.legacyFingerprint(body, target: target)
    }

    /// The fingerprint keys were stored with on 2026-12-02: canonical through `JSONValue` and the shared
    /// encoder, a twenty-fifth of the server's CPU per booking. Only a replay compares with it.
    private static func fingerprintV2(_ body: Data, target: String) -> String {
        let canonical = (try? JSONValue.parse(body)).flatMap { try? EventJSON.encoder.encode($0) } ?? body
        return "v2:" + Identifiers.sha256(Data(target.utf8) + canonical)
    }

    /// The fingerprint keys were stored with until 2026-12: the same idea through `JSONSerialization`,
    /// which cost a twentieth of the server's time per booking. Only a replay compares with it.
    private static func legacyFingerprint(_ body: Data, target: String) -> String {
        let canonical =
            (try? JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]),
                options: [.sortedKeys, .fragmentsAllowed])) ?? body
        return Identifiers.sha256(Data(target.utf8) + canonical)
    }

    /// The same request with its idempotency key in another scope.
    func scoped(_ scope: String) -> CommandRequest {
        CommandRequest(
            principal: principal, body: body, requestHash: requestHash, target: target,
            key: key.map { IdempotencyKey(principal: scope, key: $0.key) }, metadata: metadata, notes: notes)
    }

    /// A guest shares no account: its key is scoped to what it holds (the name it books under, or the
    /// booking id it acts on). Anyone else's request is returned as it is.
    func forGuest(_ credential: String) -> CommandRequest {
        principal == .guest ? scoped("guest:\(credential)") : self
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONBody.decode(type, from: body)
    }

    /// The idempotency key to store with the command's events, if the request has one.
    var idempotency: IdempotencyRequest? {
        key.map { IdempotencyRequest(key: $0, requestHash: requestHash) }
    }

    /// Runs `action`, and answers a repeated key from the outcome it stored: a request whose key is taken
    /// either fails (its append carries the key, which is unique) or records nothing, and only then is the
    /// key looked up, so a first request costs no look-up. A different request under a taken key is refused;
    /// a command that fails while a concurrent twin with the same key succeeded answers with the twin's outcome.
    func idempotent<Outcome: Decodable>(
        _ store: any EventStore, replay render: (Outcome, Int64) throws -> Response,
        _ action: () async throws -> (response: Response, recorded: Bool)
    ) async throws -> Response {
        guard let key else { return try await action().response }
        let answer: (response: Response, recorded: Bool)
        do {
            answer = try await action()
        } catch {
            if let stored = try? await store.storedOutcome(for: key) { return try replay(stored, render) }
            throw error
        }
        if !answer.recorded, let stored = try await store.storedOutcome(for: key) { return try replay(stored, render) }
        return answer.response
    }

    private func replay<Outcome: Decodable>(_ stored: StoredOutcome, _ render: (Outcome, Int64) throws -> Response) throws -> Response {
        guard matches(stored.requestHash) else {
            throw APIError.idempotencyKeyReused
        }
        var response: Response
        if let legacy = try? JSONDecoder().decode(RenderedAnswer.self, from: stored.outcome) {
            response = Self.answer(
                status: HTTPResponse.Status(code: legacy.rendered.status), json: Data(legacy.rendered.body.utf8),
                position: stored.position)
        } else {
            response = try render(try EventJSON.decoder.decode(Outcome.self, from: stored.outcome), stored.position)
        }
        response.headers[.idempotentReplayed] = "true"
        return response
    }

    /// A command's answer: `body` and the position of its last event.
    static func answer(status: HTTPResponse.Status, body: some Encodable, position: Int64) throws -> Response {
        answer(status: status, json: try JSONResponse.encode(body), position: position)
    }

    private static func answer(status: HTTPResponse.Status, json: Data, position: Int64) -> Response {
        JSONResponse.make(status: status, data: json, headers: [.xPosition: String(position)])
    }
}

/// What keys stored before migration 7 remember: the answer as rendered then.
private struct RenderedAnswer: Decodable {
    struct Answer: Decodable {
        var status: Int
        var body: String
    }

    var rendered: Answer
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let xPosition = Self("X-Position")!
    static let xRequestId = Self("X-Request-Id")!
    static let xReadModelPosition = Self("X-Read-Model-Position")!
}
