import EventStore
import Foundation
import Logging

/// Moves one projection's generation forward through the log in batches.
struct ProjectionStepper: Sendable {
    let projection: any Projection
    let events: any EventStore
    let documents: any DocumentStore
    let owner: String
    let batchSize: Int
    var logger: Logger? = nil
    /// Decoded documents kept between batches (the live runner's); nil loads every batch from the store.
    var cache: DocumentCache? = nil
    /// Where repairs are counted; nil counts nowhere (they are still logged).
    var repairs: ProjectionRepairs? = nil
    /// The log reads this process's projectors share; nil reads for this projection alone.
    var reads: SharedLogReads? = nil

    /// Applies the next batch after `checkpoint`; returns the new checkpoint, how many events it applied, and
    /// whether the log may already hold more (the read was full).
    /// A read that found none of the projection's events still moves the checkpoint to where the read was
    /// complete (so the next read does not scan the same range again); that move is committed only when
    /// `commitIdle`, so an idle projection does not write on every wake. A shared read is one that began
    /// after `freshAsOf`, when the projector was woken.
    func step(
        generation: Int, from checkpoint: Checkpoint, commitIdle: Bool = true, freshAsOf: ContinuousClock.Instant = .now
    ) async throws -> (Checkpoint, Int, more: Bool) {
        let (read, more): (EventBatch, Bool)
        if let reads {
            (read, more) = try await reads.batch(after: checkpoint, limit: batchSize, types: projection.eventTypes, freshAsOf: freshAsOf)
        } else {
            read = try await events.readBatch(after: checkpoint, limit: batchSize, types: projection.eventTypes)
            more = read.events.count >= batchSize
        }
        let batch = read.events
        guard !batch.isEmpty else {
            guard read.through > checkpoint else { return (checkpoint, 0, more) }
            if commitIdle {
                try await documents.commit([], projection: projection.name, generation: generation, checkpoint: read.through, owner: owner)
            }
            return (read.through, 0, more)
        }
        var documents = try await load(projection.keysToLoad(batch), generation: generation)
        func loadAlso(_ events: [StoredEvent]) async throws {
            let extra = try await load(projection.keysToLoad(events), generation: generation)
            documents.cached.merge(extra.cached) { old, _ in old }
            documents.loaded.merge(extra.loaded) { old, _ in old }
        }
        let ordered = await inStreamOrder(batch, after: checkpoint)
        var earlier = try await missedEvents(ordered, after: checkpoint) { documents.cached[$0]?.version ?? documents.loaded[$0]?.version }
        if !earlier.isEmpty { try await loadAlso(earlier) }
        var repaired: Set<String> = []
        var set: DocumentSet
        while true {
            set = DocumentSet(documents.loaded, cached: documents.cached)
            do {
                for event in earlier + ordered { try projection.apply(event, to: &set) }
                break
            } catch let missing as MissingDocument where !repaired.contains(missing.event.streamId) {
                repaired.insert(missing.event.streamId)
                let replay = try await replay(before: missing, batch: batch, after: checkpoint)
                try await loadAlso(replay)
                earlier = replay + earlier
            }
        }
        try Task.checkCancellation()
        try await self.documents.commit(
            try set.writes(), projection: projection.name, generation: generation,
            checkpoint: read.through, owner: owner)
        cache?.store(set.committedEntries(), generation: generation)
        return (read.through, batch.count, more)
    }

    /// The documents of `keys`: from the cache where it has them, the rest from the store.
    private func load(
        _ keys: Set<DocumentKey>, generation: Int
    ) async throws
        -> (cached: [DocumentKey: DocumentCache.Entry], loaded: [DocumentKey: StoredDocument])
    {
        let cached = cache?.lookup(keys, generation: generation) ?? [:]
        let missing = keys.subtracting(cached.keys)
        let loaded = missing.isEmpty ? [:] : try await documents.documents(missing, generation: generation)
        // A load cut short by cancellation (a lost lease, a step past its deadline) can end without an
        // error; applying the batch to missing documents would skip its events and the commit would move
        // the checkpoint past them for good. Seen under W2 load: two batches of bookings never projected.
        try Task.checkCancellation()
        return (cached, loaded)
    }

    /// Steps until the log has nothing more for this projection.
    @discardableResult
    func catchUp(
        generation: Int, from checkpoint: Checkpoint, commitIdle: Bool = true, freshAsOf: ContinuousClock.Instant = .now
    ) async throws -> (Checkpoint, Int) {
        var checkpoint = checkpoint
        var total = 0
        while true {
            try Task.checkCancellation()
            let (next, applied, more) = try await step(
                generation: generation, from: checkpoint, commitIdle: commitIdle || total > 0, freshAsOf: freshAsOf)
            checkpoint = next
            total += applied
            if !more { return (checkpoint, total) }
        }
    }
}
