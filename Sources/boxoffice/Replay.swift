import ArgumentParser

/// `boxoffice replay …`: audit a session from its events, in a terminal.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay sessions from the event log: timeline, seat map, and read-model verification.",
        subcommands: [ReplaySession.self, ReplayVerifyAll.self, ReplayRecord.self])
}

/// Exit codes of the replay commands, so scripts can tell drift from a lagging read model.
enum ReplayExit {
    /// A read-model document differs from what the events produce.
    static let drift = ExitCode(1)
    /// The projections had not applied the session's last event within the wait.
    static let behind = ExitCode(3)
}
