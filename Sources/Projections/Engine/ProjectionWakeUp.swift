import EventStore
import Logging
import PostgresNIO
import Synchronization

/// Wake-up while holding the lease: LISTEN for appends, and prove every second the lease's connection lives.
extension LogLease {
    func follow(_ connection: PostgresConnection, _ body: @escaping @Sendable (WakeFlag) async throws -> Void) async throws {
        let woken = WakeFlag()
        let logger = logger
        try await connection.listen(on: PostgresEventStore.wakeUpChannel) { notifications in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in notifications { woken.raise() }
                    throw ProjectionRunner.LeaseLost()
                }
                group.addTask { try await body(woken) }
                group.addTask {
                    // The lease is only as alive as its connection: prove it every second.
                    while true {
                        try await Task.sleep(for: .seconds(1))
                        try await withDeadline(.seconds(3)) {
                            _ = try await connection.query("SELECT 1", logger: logger)
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Set by the LISTEN task when an append was notified; taken by the follower's loop.
public final class WakeFlag: Sendable {
    /// When the latest notification not yet taken arrived: a read that begins after it sees that append.
    private let raised = Mutex<ContinuousClock.Instant?>(.now)

    public init() {}

    /// Records that an append was notified now.
    public func raise() { raised.withLock { $0 = .now } }

    /// When the latest append since the last take was notified; nil when none was.
    public func take() -> ContinuousClock.Instant? {
        raised.withLock { at in
            defer { at = nil }
            return at
        }
    }
}
