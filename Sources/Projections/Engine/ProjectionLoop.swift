import EventStore
import Foundation
import Logging

/// The projecting loop: follows the active generation and steps whenever woken or every poll interval.
extension ProjectionRunner {
    func project(_ woken: WakeFlag) async throws {
        // One cache per lease tenure: a runner that lost and retook its lease starts from the store again.
        let stepper = ProjectionStepper(
            projection: projection, events: events, documents: documents, owner: owner,
            batchSize: batchSize, logger: logger, cache: DocumentCache(),
            repairs: ProjectionRepairs(client: client, logger: logger), reads: reads)
        var generation = -1
        var checkpoint = Checkpoint.start
        var idle = Duration.zero
        let tick = Duration.milliseconds(5)
        let clock = ContinuousClock()
        // A rebuild's switch is noticed within a second; a commit into the old generation is refused
        // meanwhile (`StaleGeneration`), so asking on every wake bought nothing.
        var generationCheckedAt = clock.now
        // A projection none of whose events arrive still moves its checkpoint past the others' events, but
        // writes that move at most this often.
        var idleCommittedAt = clock.now
        while true {
            try Task.checkCancellation()
            let notified = woken.take()
            if notified != nil || idle >= pollInterval {
                idle = .zero
                let freshAsOf = notified ?? clock.now
                let name = projection.name
                var active = generation
                if generation < 0 || clock.now - generationCheckedAt >= .seconds(1) {
                    active = try await withDeadline(stepLimit) { try await documents.activeGeneration(projection: name) }
                    generationCheckedAt = clock.now
                }
                if active != generation {
                    // First pass, or a rebuild switched generations: continue from that generation's checkpoint.
                    generation = active
                    let switched = active
                    checkpoint = try await withDeadline(stepLimit) {
                        try await documents.checkpoint(projection: name, generation: switched).checkpoint
                    }
                }
                do {
                    let (from, current) = (checkpoint, generation)
                    let commitIdle = clock.now - idleCommittedAt >= pollInterval
                    // Bounded: a call on a connection that died mid-flight must not stall the projection.
                    let (next, applied) = try await withDeadline(stepLimit) {
                        try await stepper.catchUp(generation: current, from: from, commitIdle: commitIdle, freshAsOf: freshAsOf)
                    }
                    if commitIdle || applied > 0 { idleCommittedAt = clock.now }
                    checkpoint = next
                    if applied > 0 { logger.debug("projected", metadata: ["events": "\(applied)", "position": "\(checkpoint.position)"]) }
                } catch let stale as StaleGeneration {
                    logger.info("a rebuild switched generations; following it", metadata: ["generation": "\(stale.active)"])
                    generation = -1
                    woken.raise()
                }
            }
            try await Task.sleep(for: tick)
            idle += tick
        }
    }
}
