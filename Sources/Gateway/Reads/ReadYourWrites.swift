import EventStore
import Foundation
import Hummingbird
import Projections

/// `?minPosition=N`: wait (at most `GatewaySettings.readWaitLimit`, 2 s) until the read models a query uses have applied position N.
///
/// Waits are cheap and bounded: polls back off from 2 to 50 ms, and at most `ReadWaits.limit` requests of a
/// process wait at once; beyond that an answer comes at once with the position it reflects
/// (`X-Read-Model-Position`), so anonymous reads can never hold the connections commands need.
struct ReadYourWrites: Sendable {
    let reads: Reads

    /// Waits as asked and returns the position the answer reflects (the lowest of `projections`, or the
    /// asked one once every event before it that these projections read is applied).
    func position(_ request: Request, projections: [String]) async throws -> Int64 {
        let wanted = try Self.wanted(request)
        let deadline = ContinuousClock.now + reads.waitLimit
        var target: Checkpoint?
        var checkedHead = false
        // Where each projection stood when the log last said it had events of its own before the target:
        // asked again only once its checkpoint has moved (it may then have applied the last of them).
        var pendingAt: [String: Checkpoint] = [:]
        var delay = Duration.milliseconds(2)
        var waiting = false
        defer { if waiting { reads.waits.leave() } }
        while true {
            let applied = try await applied(projections)
            guard let wanted, wanted > 0 else { return applied.map(\.position).min() ?? 0 }
            if target == nil {
                target = try await reads.store.checkpoint(at: wanted)
                // A position past the head was never answered to anyone: waiting for it would only burn 2 s.
                if target == nil, !checkedHead, try await reads.store.headPosition() < wanted {
                    throw APIError.invalidRequest("minPosition \(wanted) is beyond the end of the event log")
                }
                checkedHead = true
            }
            // A position is applied once the projection's checkpoint has passed it in commit order, or once
            // nothing the projection reads lies between its checkpoint and it (a booking read back through
            // `GET /users/:id`: the users projection never sees session events, so its checkpoint stays put).
            if let target {
                var reflected = true
                for (name, checkpoint) in zip(projections, applied) where checkpoint < target {
                    if pendingAt[name] != checkpoint, let types = Projections.named(name)?.eventTypes,
                        try await !reads.store.hasEvents(after: checkpoint, through: target, types: types)
                    {
                        continue
                    }
                    pendingAt[name] = checkpoint
                    reflected = false
                }
                if reflected { return max(applied.map(\.position).min() ?? 0, wanted) }
            }
            if ContinuousClock.now >= deadline { return applied.map(\.position).min() ?? 0 }
            if !waiting {
                guard reads.waits.enter() else { return applied.map(\.position).min() ?? 0 }
                waiting = true
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(50))
        }
    }

    /// A document looked up by id, or nil only once `projection` has applied everything committed before
    /// this call: a booking or user just created is found, not answered 404. Waits at most `waitLimit`;
    /// a projection still behind then is `readModelBehind` (503).
    func found<T>(in projection: String, _ fetch: () async throws -> T?) async throws -> T? {
        if let value = try await fetch() { return value }
        // Not the read horizon: an event committed while an older transaction elsewhere is still open lies
        // beyond it, and this look-up may be for exactly that event.
        let committed = try await reads.store.latestCheckpoint()
        let deadline = ContinuousClock.now + reads.waitLimit
        var delay = Duration.milliseconds(2)
        let types = Projections.named(projection)?.eventTypes ?? []
        let waiting = reads.waits.enter()
        defer { if waiting { reads.waits.leave() } }
        while true {
            let applied = try await reads.models.position(of: projection).checkpoint
            // Behind, but with none of its own events in between: nothing it could still add.
            guard applied < committed, try await reads.store.hasEvents(after: applied, through: committed, types: types) else {
                return try await fetch()
            }
            // Still behind when it may wait no longer (past the limit, or too many waiting): a miss now
            // would be a guess, so it is a 503 to retry, never a 404 for something that exists.
            guard waiting, ContinuousClock.now < deadline else {
                if let value = try await fetch() { return value }
                throw APIError.readModelBehind
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(50))
        }
    }

    /// The `minPosition` asked for, if any.
    static func wanted(_ request: Request) throws -> Int64? {
        try request.uri.queryParameters["minPosition"].map { raw in
            guard let value = Int64(raw), value >= 0 else { throw APIError.invalidRequest("minPosition must be a position >= 0") }
            return value
        }
    }

    private func applied(_ projections: [String]) async throws -> [Checkpoint] {
        var checkpoints: [Checkpoint] = []
        for projection in projections {
            checkpoints.append(try await reads.models.position(of: projection).checkpoint)
        }
        return checkpoints
    }
}
