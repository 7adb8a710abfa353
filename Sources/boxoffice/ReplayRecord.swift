import ArgumentParser
import Commands
import EventStore
import Foundation
import Gateway
import Projections

/// `boxoffice replay record <id>`: writes a session's history as JSON lines (one event per line, the
/// shape of `GET /sessions/:id/history`), and optionally the read models the live system holds for it.
struct ReplayRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Write a session's history as JSON lines (stdout or --output).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Session id.") var sessionId: String
    @Option(help: "File to write the JSON lines to (default: stdout).") var output: String?
    @Option(
        name: .customLong("read-models"),
        help: "Also write the session's stored read-model documents to this JSON file (after the projections caught up).")
    var readModels: String?
    @Option(help: "Seconds to wait for the projections before writing --read-models.") var wait: Double = 10

    func run() async throws {
        let runtime = try Runtime(common, label: "boxoffice.replay")
        try await Database.withClient(runtime.client) { _ in
            let events = try await runtime.events.readStream(Streams.session(sessionId), after: 0)
            guard let last = events.last else { throw ValidationError("no session \(sessionId) in the event log") }
            let lines = try events.map { String(decoding: try ReplayFile.line(for: $0), as: UTF8.self) }.joined(separator: "\n") + "\n"
            if let output {
                try Data(lines.utf8).write(to: URL(fileURLWithPath: output))
            } else {
                print(lines, terminator: "")
            }
            guard let readModels else { return }
            let deadline = ContinuousClock.now + .seconds(wait)
            while try await !SessionAudit.applied(last, documents: runtime.documents) {
                guard ContinuousClock.now < deadline else { throw ValidationError("the projections did not catch up within \(wait) s") }
                try await Task.sleep(for: .milliseconds(100))
            }
            var stored: [String: [String: Data]] = [:]
            for key in try SessionAudit.expected(events).keys {
                guard let document = try await runtime.documents.get(key.collection, id: key.id) else { continue }
                stored[key.collection.name, default: [:]][key.id] = document.body
            }
            try ReplayFile.readModelsJSON(stored).write(to: URL(fileURLWithPath: readModels))
        }
    }
}
