import EventStore
import Foundation
import Hummingbird
import Projections

/// `?minPosition=N`: wait (at most 2 s) until the read models a query uses have applied position N.
struct ReadYourWrites<Store: EventStore, Docs: DocumentStore>: Sendable {
    let backend: Backend<Store, Docs>
    static var maxWait: Duration { .seconds(2) }

    /// Waits as asked and returns the position the answer reflects (the lowest of `projections`).
    func position(_ request: Request, projections: [String]) async throws -> Int64 {
        let wanted: Int64? = try request.uri.queryParameters["minPosition"].map { raw in
            guard let value = Int64(raw), value >= 0 else { throw APIError.invalidRequest("minPosition must be a position >= 0") }
            return value
        }
        let deadline = ContinuousClock.now + Self.maxWait
        var target: Checkpoint?
        var checkedHead = false
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
            // A position is applied once the projection's checkpoint has passed it in commit order.
            if let target, applied.allSatisfy({ $0 >= target }) { return applied.map(\.position).min() ?? 0 }
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
