import Foundation

/// What an idempotency key remembers of the command that stored it. The outcome is the caller's own
/// encoding (the store never looks inside it); the position is where the command's last event landed.
public struct StoredOutcome: Equatable, Sendable {
    public var outcome: Data
    /// Global position of the command's last event (the answer's `X-Position`).
    public var position: Int64
    /// Fingerprint of the request that produced it; a different request with the same key is refused.
    public var requestHash: String

    public init(outcome: Data, position: Int64, requestHash: String) {
        self.outcome = outcome
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
    /// The caller's outcome, stored as given.
    public var outcome: Data
    public var requestHash: String

    public init(key: IdempotencyKey, lastEventIndex: Int, outcome: Data, requestHash: String) {
        self.key = key
        self.lastEventIndex = lastEventIndex
        self.outcome = outcome
        self.requestHash = requestHash
    }
}
