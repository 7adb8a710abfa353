import EventStore
import Foundation

/// Folds events through a projection in memory: the read models the log says should exist.
/// Used to verify a store (replay `--verify`, tests) without touching it.
public enum ProjectionFold {
    /// The documents `events` produce from nothing, as JSON bodies.
    public static func documents(_ projection: any Projection, events: [StoredEvent]) throws -> [DocumentKey: Data] {
        var set = DocumentSet([:])
        let types = Set(projection.eventTypes)
        for event in events where types.contains(event.type) { try projection.apply(event, to: &set) }
        return Dictionary(uniqueKeysWithValues: try set.writes().map { ($0.key, $0.body) })
    }

    /// Whether two JSON bodies are the same value (key order and spacing ignored).
    public static func sameJSON(_ lhs: Data, _ rhs: Data) -> Bool {
        JSONDifference.first(stored: lhs, expected: rhs) == nil
    }
}
