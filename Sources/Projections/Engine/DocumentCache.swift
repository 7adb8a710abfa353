import Synchronization

/// Decoded documents a projector has committed, kept between its batches.
///
/// Measured under W2 (200 sessions, C = 64): 44% of the server's CPU went to projection steps, half of
/// it decoding the seat maps each batch loads again (and PostgreSQL turned them back into text first).
/// A projector is the only writer of its generation's documents while it holds the lease, so what it
/// committed is what the store holds. Even if a lease is lost unnoticed for a moment, a cached document
/// is a correct fold of its stream up to its version and the store's version guard drops stale writes.
/// Entries are stored only after their commit succeeded; a new generation starts empty.
public final class DocumentCache: Sendable {
    /// A document as committed: the stream version applied and the decoded value.
    public struct Entry: Sendable {
        var version: Int64
        var value: any Codable & Sendable
    }

    private struct State {
        var generation = -1
        var entries: [DocumentKey: Entry] = [:]
    }

    private let state = Mutex(State())
    /// Most documents kept; past it the cache starts over (documents reload from the store once).
    let limit: Int

    public init(limit: Int = 20_000) {
        self.limit = max(limit, 1)
    }

    func lookup(_ keys: Set<DocumentKey>, generation: Int) -> [DocumentKey: Entry] {
        state.withLock { state in
            guard state.generation == generation else { return [:] }
            var found: [DocumentKey: Entry] = [:]
            for key in keys { if let entry = state.entries[key] { found[key] = entry } }
            return found
        }
    }

    func store(_ committed: [DocumentKey: Entry], generation: Int) {
        state.withLock { state in
            if state.generation != generation || state.entries.count + committed.count > limit {
                state = State(generation: generation)
            }
            // Never step back: a step abandoned at its deadline may still commit after a newer one.
            state.entries.merge(committed) { old, new in new.version >= old.version ? new : old }
        }
    }
}
