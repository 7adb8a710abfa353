import EventStore
import Hummingbird

/// A bound on how long a request may take, so an unreachable database becomes a 503, not a hang.
enum Deadline {
    /// Runs `body`; past `timeout` it is cancelled and `EventStoreError.unavailable` is thrown.
    /// Commands still queued when cancelled are dropped undecided; one already being appended may
    /// still commit, and a retry with the same `Idempotency-Key` returns its answer.
    static func run(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Response) async throws -> Response {
        do {
            return try await withDeadline(timeout, body)
        } catch let exceeded as DeadlineExceeded {
            throw EventStoreError.unavailable(exceeded.description)
        }
    }
}
