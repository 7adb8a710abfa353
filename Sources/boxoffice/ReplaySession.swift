import ArgumentParser
import Commands
import EventStore
import Foundation
import Gateway
import Projections

/// `boxoffice replay session <id>`: the session's timeline and seat map, folded from its events.
struct ReplaySession: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Print a session's timeline and seat map from its events; --verify compares the read models.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Session id.") var sessionId: String
    @Option(name: .customLong("as-of"), help: "Show the seat map right after this version (default: the latest).")
    var asOf: Int?
    @Flag(help: "Rebuild the session's read-model documents from its events and diff them with the store (exit 1 on drift).")
    var verify = false
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(help: "Seconds to wait for the projections to apply the session's last event before verifying (exit 3 if not).")
    var wait: Double = 10

    func run() async throws {
        let runtime = try Runtime(common, label: "boxoffice.replay")
        let outcome = try await Database.withClient(runtime.client) { _ in
            let events = try await runtime.events.readStream(Streams.session(sessionId), after: 0)
            guard !events.isEmpty else { throw ValidationError("no session \(sessionId) in the event log") }
            if let asOf, !(1...events.count).contains(asOf) {
                throw ValidationError("--as-of must be between 1 and \(events.count), the session's version")
            }
            let replay = try SessionReplay(sessionId: sessionId, events: events)
            let verification =
                verify
                ? try await SessionVerifier(events: runtime.events, documents: runtime.documents, wait: .seconds(wait)).verify(sessionId)
                : nil
            if json {
                print(try ReplayOutput.json(replay, asOf: asOf, verification: verification))
            } else {
                print(ReplayOutput.text(replay, asOf: asOf, verification: verification))
            }
            return verification
        }
        if let outcome, let exit = outcome.exitCode { throw exit }
    }
}
