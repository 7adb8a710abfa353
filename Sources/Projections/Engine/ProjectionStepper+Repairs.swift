import EventStore
import Foundation

/// The stepper's self-repairs: each makes the read model follow the log whatever made it miss events,
/// counts the repair (`projection_repairs`) and logs what it saw. The cause CI once caught is in docs/adr/0001.
extension ProjectionStepper {
    /// A booking document that its BookingPlaced should have made is not there: the stream's events before
    /// the one that needed it, to apply first (each document skips what it already has). Once per stream
    /// and step.
    func replay(before missing: MissingDocument, batch: [StoredEvent], after checkpoint: Checkpoint) async throws -> [StoredEvent] {
        let stream = missing.event.streamId
        let types = Set(projection.eventTypes)
        let replay = try await events.readStream(stream, after: 0)
            .filter { $0.version < missing.event.version && types.contains($0.type) }
        await repairs?.record(projection.name)
        logger?.warning(
            "read model document missing: replaying its stream first",
            metadata: [
                "projection": "\(projection.name)", "missing": "\(missing)", "replayed": "\(replay.count)",
                "step": "after \(checkpoint.transactionId)/\(checkpoint.position)",
                "batch": "\(batch.filter { $0.streamId == stream }.prefix(10).map { "v\($0.version) \($0.transactionId)/\($0.position)" })",
                "log": "\(replay.prefix(10).map { "v\($0.version) \($0.transactionId)/\($0.position)" })",
            ])
        return replay
    }

    /// The batch with each stream's events in version order. The log's commit order already is that;
    /// documents belong to one stream, so reordering across streams changes nothing, and a batch that
    /// came otherwise (suspected in the read-model misses CI saw) is logged with what it held.
    func inStreamOrder(_ batch: [StoredEvent], after checkpoint: Checkpoint) async -> [StoredEvent] {
        var last: [String: Int] = [:]
        var ordered = true
        for event in batch {
            if let previous = last[event.streamId], previous >= event.version { ordered = false }
            last[event.streamId] = event.version
        }
        if ordered { return batch }
        await repairs?.record(projection.name)
        logger?.warning(
            "events of a stream out of version order in one batch",
            metadata: [
                "projection": "\(projection.name)", "step": "after \(checkpoint.transactionId)/\(checkpoint.position)",
                "batch": "\(batch.prefix(20).map { "\($0.streamId) v\($0.version) \($0.transactionId)/\($0.position)" })",
            ])
        return batch.enumerated().sorted {
            ($0.element.streamId, $0.element.version, $0.offset) < ($1.element.streamId, $1.element.version, $1.offset)
        }
        .map(\.element)
    }

    /// Events of the batch's streams that the streams' documents never applied although a later event of
    /// the stream is here: a seat map at version 1 about to get version 4 first gets 2 and 3 from the stream.
    /// The log is the truth; this repairs a read model that missed events whatever made it miss them, and
    /// says so loudly. (The misses CI once caught came from the text-ordered gap-safe read, docs/adr/0001.)
    func missedEvents(
        _ batch: [StoredEvent], after checkpoint: Checkpoint,
        version: (DocumentKey) -> Int64?
    ) async throws -> [StoredEvent] {
        var first: [String: StoredEvent] = [:]
        for event in batch where first[event.streamId].map({ event.version < $0.version }) ?? true { first[event.streamId] = event }
        let types = Set(projection.eventTypes)
        var missed: [StoredEvent] = []
        for (stream, event) in first.sorted(by: { $0.key < $1.key }) {
            guard let applied = projection.streamKeys(for: event).map({ version($0) ?? 0 }).min(),
                applied + 1 < Int64(event.version)
            else { continue }
            let earlier = try await events.readStream(stream, after: Int(applied))
                .filter { $0.version < event.version && types.contains($0.type) }
            await repairs?.record(projection.name)
            logger?.warning(
                "read model behind its stream: applying the missed events first",
                metadata: [
                    "projection": "\(projection.name)", "stream": "\(stream)", "documentVersion": "\(applied)",
                    "eventVersion": "\(event.version)", "event": "\(event.transactionId)/\(event.position)",
                    "step": "after \(checkpoint.transactionId)/\(checkpoint.position)",
                    "missed": "\(earlier.map { "v\($0.version) \($0.transactionId)/\($0.position)" })",
                ])
            missed += earlier
        }
        return missed
    }
}
