import Commands
import EventStore
import Foundation
import Projections

/// The query side of the gateway: the read models, the live sessions and the log they are checked
/// against. Query, history, health and KPI routes act through it.
struct Reads: Sendable {
    let store: any EventStore
    let models: ReadModelQueries
    /// Brings a session's stream worker up to date before its live answer.
    let sessions: CommandHandler<SessionDecider>
    /// Seat maps and GA remaining of the sessions this gateway serves, kept current by `sessions`.
    let live: LiveSessions
    /// The same seat maps pushed to subscribers as they change.
    let feed: SeatFeed
    /// Requests waiting for a read model (`minPosition`, a look-up that missed), bounded.
    let waits: ReadWaits
    /// Longest such a wait lasts.
    let waitLimit: Duration
    /// Read-model repairs of every projector (nil: not reported, as in tests without a database client).
    let repairs: ProjectionRepairs?
}

extension Reads {
    /// Each projection's applied position and what it has not applied yet (events, and age of the oldest).
    func projectionLags() async throws -> [ProjectionLag] {
        let now = Date()
        var lags: [ProjectionLag] = []
        let repairCounts = try await repairs?.counts()
        for projection in Projections.all {
            let position = try await models.position(of: projection.name)
            let backlog = try await store.backlog(after: position.checkpoint, types: projection.eventTypes)
            lags.append(
                ProjectionLag(
                    name: projection.name, position: position.checkpoint.position, lagEvents: backlog.events,
                    lagMs: backlog.oldest.map { max(0, now.timeIntervalSince($0) * 1000).rounded() } ?? 0,
                    updatedAt: position.updatedAt, repairs: repairCounts.map { $0[projection.name] ?? 0 }))
        }
        return lags
    }
}
