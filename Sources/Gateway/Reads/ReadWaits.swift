import Synchronization

/// How many requests of this process are waiting for a read model right now, and the most allowed.
final class ReadWaits: Sendable {
    /// Each waiter holds no connection between polls, but polls use the pool commands use too.
    static let limit = 64
    private let waiting = Mutex(0)

    /// Takes a place if one is free.
    func enter() -> Bool {
        waiting.withLock { count in
            guard count < Self.limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { waiting.withLock { $0 -= 1 } }

    /// Requests waiting now (for `/metrics`).
    var current: Int { waiting.withLock { $0 } }
}
