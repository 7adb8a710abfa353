import EventStore
import Foundation

/// `projections rebuild`: replays the whole log into a fresh generation, then switches queries to it.
/// Queries keep reading the old generation until the switch; a live runner follows the switch.
public enum ProjectionRebuild {
    public static func run(
        _ projection: any Projection, events: any EventStore, documents: any DocumentStore, owner: String, batchSize: Int = 2_000
    ) async throws -> (generation: Int, events: Int) {
        let active = try await documents.activeGeneration(projection: projection.name)
        let fresh = active + 1
        try await documents.drop(projection: projection.name, generation: fresh)
        let stepper = ProjectionStepper(projection: projection, events: events, documents: documents, owner: owner, batchSize: batchSize)
        let (_, applied) = try await stepper.catchUp(generation: fresh, from: .start)
        try await documents.activate(projection: projection.name, generation: fresh)
        return (fresh, applied)
    }
}
