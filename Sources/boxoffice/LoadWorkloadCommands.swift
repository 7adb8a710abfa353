import ArgumentParser
import LoadGenerator

/// `boxoffice load w1`: one 40 × 50 session; each attempt reads the seat map and reserves a random
/// adjacent pair that is free in that view. Stops when a view has no free pair, or at T (15 s).
struct LoadW1: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "w1", abstract: "W1 hot-session (WORKLOADS.md).")

    @OptionGroup var options: LoadOptions

    func run() async throws {
        try options.emit(try await W1HotSession.run(try options.settings()))
    }
}

/// `boxoffice load w1-best`: W1's session and clients, each attempt asking for the best available pair.
struct LoadW1Best: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "w1-best", abstract: "W1 with best-available pairs instead of picks from the seat map (issue 16).")

    @OptionGroup var options: LoadOptions

    func run() async throws {
        try options.emit(try await W1HotSession.run(try options.settings(), best: true))
    }
}

/// `boxoffice load w2`: 1,000 sessions of 20 × 25; each attempt picks a session and two distinct seats
/// blindly (no view) and reserves them. Fixed duration T (10 s).
struct LoadW2: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "w2", abstract: "W2 many-sessions (WORKLOADS.md).")

    @OptionGroup var options: LoadOptions
    @Option(help: "Sessions (WORKLOADS.md: 1000).") var sessions = 1_000

    func run() async throws {
        guard (1...2_000).contains(sessions) else { throw ValidationError("--sessions must be 1 to 2000") }
        try options.emit(try await W2ManySessions.run(try options.settings(), sessions: sessions))
    }
}

/// `boxoffice load w3`: one GA section of 5,000; each request buys 1–4 tickets. Stops when a view shows
/// remaining 0, or at T (15 s).
struct LoadW3: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "w3", abstract: "W3 flash-GA (WORKLOADS.md).")

    @OptionGroup var options: LoadOptions
    @Option(help: "Places in the section (WORKLOADS.md: 5000).") var capacity = 5_000

    func run() async throws {
        guard (1...1_000_000).contains(capacity) else { throw ValidationError("--capacity must be 1 to 1000000") }
        try options.emit(try await W3FlashGA.run(try options.settings(), capacity: capacity))
    }
}

/// `boxoffice load w3-tiny`: capacity 5, exactly 20 clients, one request of one ticket each.
struct LoadW3Tiny: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "w3-tiny", abstract: "W3 tiny (WORKLOADS.md): capacity 5, 20 clients, one ticket each; --clients is ignored.")

    @OptionGroup var options: LoadOptions

    func run() async throws {
        try options.emit(try await W3FlashGA.runTiny(try options.settings()))
    }
}
