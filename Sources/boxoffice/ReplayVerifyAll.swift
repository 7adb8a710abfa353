import ArgumentParser
import Commands
import EventStore
import Foundation
import Projections

/// `boxoffice replay verify-all`: verifies every session's read models against its events.
struct ReplayVerifyAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-all",
        abstract: "Verify the read models of every session against the event log (exit 1 on any drift).")

    @OptionGroup var common: CommonOptions
    @Option(help: "Seconds to wait per session for the projections to apply its last event.") var wait: Double = 10
    @Flag(help: "Print JSON lines instead of text.") var json = false

    func run() async throws {
        let runtime = try Runtime(common, label: "boxoffice.replay")
        let failures = try await Database.withClient(runtime.client) { _ in
            let verifier = SessionVerifier(events: runtime.events, documents: runtime.documents, wait: .seconds(wait))
            // Sessions are listed in commit order, which an open transaction anywhere in the cluster holds
            // back: wait until the log as it stands now is all visible, rather than verify part of it.
            let head = try await runtime.events.headPosition()
            let deadline = ContinuousClock.now + .seconds(wait)
            while head > 0, try await runtime.events.checkpoint(at: head) == nil {
                guard ContinuousClock.now < deadline else {
                    print("the log up to position \(head) is not readable yet (an open transaction holds it back)")
                    throw ReplayExit.behind
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            var checkpoint = Checkpoint.start
            var sessions = 0
            var documents = 0
            var failed: [Verification] = []
            while true {
                let batch = try await runtime.events.readAll(after: checkpoint, limit: 1_000, types: [EventType.sessionScheduled.rawValue])
                guard let last = batch.last else { break }
                checkpoint = last.checkpoint
                for event in batch {
                    let result = try await verifier.verify(Streams.sessionId(ofStream: event.streamId))
                    sessions += 1
                    documents += result.documents
                    if result.exitCode != nil { failed.append(result) }
                    print(json ? try ReplayOutput.jsonLine(result) : ReplayOutput.line(result))
                }
            }
            if !json {
                print(
                    "\(sessions) sessions, \(documents) documents verified; "
                        + (failed.isEmpty ? "no drift" : "\(failed.count) sessions with problems"))
            }
            return failed
        }
        if let first = failures.first(where: { !$0.drifts.isEmpty }) ?? failures.first, let exit = first.exitCode { throw exit }
    }
}
