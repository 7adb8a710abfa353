import EventStore
import Logging
import PostgresNIO
import Synchronization

/// Wake-up while holding the lease: LISTEN for appends, and prove every second the lease's connection lives.
extension ProjectionRunner {
    func follow(_ connection: PostgresConnection) async throws {
        let woken = WakeFlag()
        try await connection.listen(on: PostgresEventStore.wakeUpChannel) { notifications in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await _ in notifications { woken.raise() }
                    throw LeaseLost()
                }
                group.addTask { try await project(woken) }
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

/// Set by the LISTEN task when an append was notified; taken by the projecting loop.
final class WakeFlag: Sendable {
    /// When the latest notification not yet taken arrived: a read that begins after it sees that append.
    private let raised = Mutex<ContinuousClock.Instant?>(.now)

    func raise() { raised.withLock { $0 = .now } }

    /// When the latest append since the last take was notified; nil when none was.
    func take() -> ContinuousClock.Instant? {
        raised.withLock { at in
            defer { at = nil }
            return at
        }
    }
}
