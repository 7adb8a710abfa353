import Foundation

/// A response remembered for an idempotency key, replayed verbatim for a repeated request.
public struct StoredResponse: Codable, Equatable, Sendable {
    public var status: Int
    public var body: Data
    /// Global position the response reported (its `X-Position`).
    public var position: Int64
    /// Fingerprint of the request that produced it; a different request with the same key is refused.
    public var requestHash: String

    public init(status: Int, body: Data, position: Int64, requestHash: String) {
        self.status = status
        self.body = body
        self.position = position
        self.requestHash = requestHash
    }
}

/// An idempotency key scoped to the principal that used it, so two users never share keys.
public struct IdempotencyKey: Hashable, Sendable {
    public var principal: String
    public var key: String

    public init(principal: String, key: String) {
        self.principal = principal
        self.key = key
    }
}

/// A key to store in the same transaction as the events of one command.
public struct IdempotencyWrite: Sendable {
    public var key: IdempotencyKey
    /// Index into the append's flat event list of the command's last event.
    public var lastEventIndex: Int
    /// Renders the response once the events' global positions are known.
    public var render: @Sendable (_ position: Int64) throws -> StoredResponse

    public init(key: IdempotencyKey, lastEventIndex: Int, render: @escaping @Sendable (Int64) throws -> StoredResponse) {
        self.key = key
        self.lastEventIndex = lastEventIndex
        self.render = render
    }
}
