import EventStore
import Foundation
import Synchronization

/// One read of the log for all the projectors of a process. The projectors are woken by the same append,
/// but each used to read the log for itself: four reads of one range per wake. Here a read asks for the
/// event types of every projector, each takes the events of its own types, and the reads are kept as a
/// chain of segments, so a projector that fell behind another (sessions behind KPIs under load) follows
/// the chain from its checkpoint instead of reading again.
///
/// Sharing never costs freshness: a batch ends only on a read that began after the asker was woken
/// (`freshAsOf`), so every commit the wake announced is in it. It cannot cost correctness either: a
/// segment holds every event of its types between its start and `through` (see `EventBatch`), so any
/// chain of segments is what one longer read would have answered.
public final class SharedLogReads: Sendable {
    /// A read made: every event of `types` after `after`, complete through `batch.through`.
    struct Segment: Sendable {
        let after: Checkpoint
        let batch: EventBatch
        /// The read hit its limit: more events may follow `through` already.
        let full: Bool
        let startedAt: ContinuousClock.Instant
    }

    private struct Pending {
        let after: Checkpoint
        let startedAt: ContinuousClock.Instant
        let read: Task<Segment, any Error>
    }

    private enum Found {
        case kept(Segment)
        case reading(Task<Segment, any Error>)
    }

    private struct State {
        var segments: [Segment] = []
        var pending: [Pending] = []
        var reads = 0
        var answers = 0
    }

    private let events: any EventStore
    private let typeList: [String]
    private let types: Set<String>
    private let limit: Int
    /// Events kept in the chain at most; a projector further behind reads for itself.
    private let keep: Int
    /// Segments kept at most: reads that found none of the types (the log moved on with other events) hold
    /// no events, and would otherwise pile up without bound.
    private let keepSegments = 64
    private let state = Mutex(State())

    public init(events: any EventStore, projections: [any Projection], limit: Int = 1_000) {
        self.events = events
        types = Set(projections.flatMap(\.eventTypes))
        typeList = types.sorted()
        self.limit = limit
        keep = limit * 4
    }

    /// How many reads of the log were made and how many batches they answered.
    public var counts: (reads: Int, answers: Int) { state.withLock { ($0.reads, $0.answers) } }

    /// Segments kept in the chain now.
    var keptSegments: Int { state.withLock { $0.segments.count } }

    /// The events of `types` after `checkpoint`, at most `limit`; `more` when the log may hold more already.
    func batch(
        after checkpoint: Checkpoint, limit: Int, types wanted: [String], freshAsOf: ContinuousClock.Instant
    ) async throws -> (batch: EventBatch, more: Bool) {
        let mine = Set(wanted)
        guard limit == self.limit, mine.isSubset(of: types) else {
            let read = try await events.readBatch(after: checkpoint, limit: limit, types: wanted)
            return (read, read.events.count >= limit)
        }
        func answer(_ events: [StoredEvent], through: Checkpoint, more: Bool) -> (batch: EventBatch, more: Bool) {
            state.withLock { $0.answers += 1 }
            return (EventBatch(events: events.filter { mine.contains($0.type) }, through: through), more)
        }
        var collected: [StoredEvent] = []
        var through = checkpoint
        // Whether a read that began after the wake reached the end of the log: then the batch holds every
        // append the wake announced, and goes on only along segments already kept.
        var reachedEnd = false
        while true {
            let segment = try await segment(after: through, freshAsOf: freshAsOf)
            if !collected.isEmpty && collected.count + segment.batch.events.count > limit {
                return answer(collected, through: through, more: true)
            }
            collected += segment.batch.events
            through = segment.batch.through
            reachedEnd = reachedEnd || (segment.startedAt >= freshAsOf && !segment.full)
            if reachedEnd && kept(after: through) == nil {
                return answer(collected, through: through, more: false)
            }
        }
    }

    /// A kept segment that moves on from `checkpoint`.
    private func kept(after checkpoint: Checkpoint) -> Segment? {
        state.withLock { state in state.segments.last { $0.after == checkpoint && $0.batch.through > checkpoint } }
    }

    /// The segment after `checkpoint`: one kept that moves past it, one being read since `freshAsOf`, or a new read.
    private func segment(after checkpoint: Checkpoint, freshAsOf: ContinuousClock.Instant) async throws -> Segment {
        let found: Found = state.withLock { state in
            // A kept segment that went nowhere would be answered again and again: only a fresh one ends a batch.
            if let kept = state.segments.last(where: {
                $0.after == checkpoint && ($0.batch.through > checkpoint || $0.startedAt >= freshAsOf)
            }) {
                return .kept(kept)
            }
            if let joined = state.pending.last(where: { $0.after == checkpoint && $0.startedAt >= freshAsOf }) {
                return .reading(joined.read)
            }
            let (events, typeList, limit) = (self.events, self.typeList, self.limit)
            let startedAt = ContinuousClock.now
            let read = Task {
                let batch = try await events.readBatch(after: checkpoint, limit: limit, types: typeList)
                return Segment(after: checkpoint, batch: batch, full: batch.events.count >= limit, startedAt: startedAt)
            }
            state.pending.append(Pending(after: checkpoint, startedAt: startedAt, read: read))
            state.reads += 1
            return .reading(read)
        }
        switch found {
        case .kept(let kept):
            return kept
        case .reading(let read):
            do {
                let segment = try await read.value
                keep(segment)
                return segment
            } catch {
                state.withLock { state in state.pending.removeAll { $0.after == checkpoint && $0.read == read } }
                throw error
            }
        }
    }

    /// Moves a finished read into the chain, where it replaces an older read from the same place (a later
    /// read's events start with the earlier one's), and drops the oldest segments beyond `keep` events or
    /// `keepSegments` segments.
    private func keep(_ segment: Segment) {
        state.withLock { state in
            guard let index = state.pending.firstIndex(where: { $0.after == segment.after && $0.startedAt == segment.startedAt })
            else { return }
            state.pending.remove(at: index)
            guard !state.segments.contains(where: { $0.after == segment.after && $0.startedAt > segment.startedAt }) else { return }
            state.segments.removeAll { $0.after == segment.after && $0.startedAt <= segment.startedAt }
            state.segments.append(segment)
            var total = state.segments.reduce(0) { $0 + $1.batch.events.count }
            while total > keep || state.segments.count > keepSegments, state.segments.count > 1 {
                total -= state.segments.removeFirst().batch.events.count
            }
        }
    }
}
