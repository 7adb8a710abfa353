import EventStore
import Foundation
import Hummingbird
import Projections

/// `?minPosition=N`: wait (at most 2 s) until the read models a query uses have applied position N.
struct ReadYourWrites<Store: EventStore, Docs: DocumentStore>: Sendable {
    let backend: Backend<Store, Docs>
    static var maxWait: Duration { .seconds(2) }

    /// Waits as asked and returns the position the answer reflects (the lowest of `projections`, or the
    /// asked one once every event before it that these projections read is applied).
    func position(_ request: Request, projections: [String]) async throws -> Int64 {
        let wanted: Int64? = try request.uri.queryParameters["minPosition"].map { raw in
            guard let value = Int64(raw), value >= 0 else { throw APIError.invalidRequest("minPosition must be a position >= 0") }
            return value
        }
        let deadline = ContinuousClock.now + Self.maxWait
        var target: Checkpoint?
        var checkedHead = false
        // Where each projection stood when the log last said it had events of its own before the target:
        // asked again only once its checkpoint has moved (it may then have applied the last of them).
        var pendingAt: [String: Checkpoint] = [:]
        while true {
            let applied = try await applied(projections)
            guard let wanted, wanted > 0 else { return applied.map(\.position).min() ?? 0 }
            if target == nil {
                target = try await backend.store.checkpoint(at: wanted)
                // A position past the head was never answered to anyone: waiting for it would only burn 2 s.
                if target == nil, !checkedHead, try await backend.store.headPosition() < wanted {
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
                       try await !backend.store.hasEvents(after: checkpoint, through: target, types: types) { continue }
                    pendingAt[name] = checkpoint
                    reflected = false
                }
                if reflected { return max(applied.map(\.position).min() ?? 0, wanted) }
            }
            if ContinuousClock.now >= deadline { return applied.map(\.position).min() ?? 0 }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private func applied(_ projections: [String]) async throws -> [Checkpoint] {
        var checkpoints: [Checkpoint] = []
        for projection in projections {
            checkpoints.append(try await backend.readModels.position(of: projection).checkpoint)
        }
        return checkpoints
    }
}
