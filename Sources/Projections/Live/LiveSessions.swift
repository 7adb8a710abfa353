import Commands
import EventStore
import Foundation
import Synchronization

/// Seat maps and GA remaining of the sessions a gateway serves, kept in its memory.
///
/// Fed by the session command handler (`CommandHandler(onCommitted:)`): its own appends once committed,
/// and whatever its stream reads found, which includes other processes' commits. A query first brings
/// the session's stream worker up to date (one indexed read of the events after its version), so an
/// answer reflects every commit made before the request arrived, and never anything uncommitted.
/// Bounded: past `limit` sessions the least recently used are forgotten and rebuilt when asked again.
public final class LiveSessions: Sendable {
    /// A rendered answer: its body, the stream version it shows, and the position of its last event.
    public struct Answer: Sendable {
        public var body: Data
        public var version: Int
        public var position: Int64
    }

    private struct Entries {
        var sessions: [String: (session: LiveSession, lastUse: UInt64)] = [:]
        var tick: UInt64 = 0
    }

    private let entries = Mutex(Entries())
    let limit: Int

    public init(limit: Int = 1_000) {
        self.limit = max(limit, 1)
    }

    /// How many sessions are held (for tests and metrics).
    public var count: Int { entries.withLock { $0.sessions.count } }

    /// Applies events the command handler knows are committed, to the session if it is held. A gap
    /// (an event of a version after the next one) drops the copy; the next query builds it again.
    public func committed(_ streamId: String, _ events: [CommittedEvent<SessionEvent>]) {
        let sessionId = Streams.sessionId(ofStream: streamId)
        entries.withLock { entries in
            guard var entry = entries.sessions[sessionId] else { return }
            for committed in events
            where !entry.session.apply(
                committed.event, version: committed.version,
                position: committed.position)
            {
                entries.sessions[sessionId] = nil
                return
            }
            entries.sessions[sessionId] = entry
        }
    }

    /// The session as of `state` at `version` (from its stream worker, just brought up to date), or a
    /// newer copy already held; nil when the session does not exist.
    public func answer(
        _ sessionId: String, state: SessionState, version: Int, position: Int64,
        format: SeatMapFormat
    ) throws -> Answer? {
        let held: LiveSession? = entries.withLock { entries in
            entries.tick += 1
            guard let entry = entries.sessions[sessionId], entry.session.version >= version else { return nil }
            entries.sessions[sessionId]?.lastUse = entries.tick
            return entry.session
        }
        guard var session = held ?? LiveSession(state, version: version, position: position) else { return nil }
        if let body = session.rendered[format] {
            return Answer(body: body, version: session.version, position: session.position)
        }
        let body = try session.render(format)
        session.rendered[format] = body
        let kept = session
        entries.withLock { entries in
            entries.tick += 1
            // Keep whichever copy is newer: events may have been applied while this one rendered.
            if let current = entries.sessions[sessionId], current.session.version > kept.version { return }
            if let current = entries.sessions[sessionId], current.session.version == kept.version {
                entries.sessions[sessionId]?.session.rendered[format] = body
                entries.sessions[sessionId]?.lastUse = entries.tick
                return
            }
            entries.sessions[sessionId] = (kept, entries.tick)
            if entries.sessions.count > limit {
                let excess = entries.sessions.count - limit + max(limit / 10, 1)
                for (id, _) in entries.sessions.sorted(by: { $0.value.lastUse < $1.value.lastUse }).prefix(excess) {
                    entries.sessions[id] = nil
                }
            }
        }
        return Answer(body: body, version: kept.version, position: kept.position)
    }
}
