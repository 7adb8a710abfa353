import Logging
import PostgresNIO
import Synchronization

/// Wakes the log's followers (`LISTEN boxoffice_events`) after appends have committed.
///
/// A `NOTIFY` inside the append transaction makes PostgreSQL serialise every notifying commit on one
/// database-wide lock, so concurrent appends could not share a WAL flush. Sent after `COMMIT` instead,
/// and coalesced: at most one is in flight, and pokes that arrive meanwhile cost one more. Followers
/// also poll, so a notification lost to a crash between commit and `NOTIFY` only delays them.
final class CommitNotifier: Sendable {
    static let channel = "boxoffice_events"

    private struct State {
        var sending = false
        var again = false
    }

    private let client: PostgresClient
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Asks for a notification; returns at once.
    func poke() {
        let start = state.withLock { state -> Bool in
            if state.sending {
                state.again = true
                return false
            }
            state.sending = true
            return true
        }
        guard start else { return }
        Task { await self.send() }
    }

    private func send() async {
        while true {
            _ = try? await client.query("SELECT pg_notify(\(Self.channel), '')", logger: logger)
            let more = state.withLock { state -> Bool in
                if state.again {
                    state.again = false
                    return true
                }
                state.sending = false
                return false
            }
            if !more { return }
        }
    }
}
