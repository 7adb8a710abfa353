import ArgumentParser
import Commands
import EventStore
import Foundation
import Gateway
import Projections

/// The outcome of verifying one session's read models against its events.
struct Verification: Encodable, Sendable {
    var sessionId: String
    var version: Int
    var documents: Int
    /// The projections had not applied the session's last event within the wait: nothing compared.
    var behind: Bool
    var drifts: [String]

    var exitCode: ExitCode? { behind ? ReplayExit.behind : drifts.isEmpty ? nil : ReplayExit.drift }
}

/// Verifies sessions: waits until the projections have applied the session's last event, then diffs
/// every document the events produce with the stored one.
struct SessionVerifier: Sendable {
    let events: PostgresEventStore
    let documents: any DocumentStore
    let wait: Duration

    func verify(_ sessionId: String) async throws -> Verification {
        var stream = try await events.readStream(Streams.session(sessionId), after: 0)
        let deadline = ContinuousClock.now + wait
        // Two rounds at most: events appended while comparing make documents look ahead of the fold.
        for round in 1...2 {
            guard let last = stream.last else { break }
            while try await !SessionAudit.applied(last, documents: documents) {
                guard ContinuousClock.now < deadline else {
                    return Verification(sessionId: sessionId, version: last.version, documents: 0, behind: true, drifts: [])
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let drifts = try await SessionAudit.drift(stream, documents: documents)
            let newer = try await events.readStream(Streams.session(sessionId), after: stream.count)
            if drifts.isEmpty || newer.isEmpty || round == 2 {
                return Verification(
                    sessionId: sessionId, version: last.version,
                    documents: try SessionAudit.expected(stream).count, behind: false,
                    drifts: drifts.map(\.description))
            }
            stream += newer
        }
        return Verification(sessionId: sessionId, version: 0, documents: 0, behind: false, drifts: [])
    }
}
