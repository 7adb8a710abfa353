import EventStore
import Foundation

/// Audit of one session: the read-model documents its events must produce, compared with what the
/// store holds. Used by `boxoffice replay … --verify`, the replay scenarios and tests.
public enum SessionAudit {
    /// The projections that read session streams.
    public static let projections: [any Projection] = [SessionProjection(), KPIProjection()]

    /// One document that is not what the log says.
    public struct Drift: Sendable, CustomStringConvertible {
        public var collection: String
        public var id: String
        /// Where and how it differs (`missing`, or the first differing JSON path with both values).
        public var detail: String

        public var description: String { "\(collection)/\(id): \(detail)" }
    }

    /// The documents `events` (one session's stream, from version 1) produce.
    public static func expected(_ events: [StoredEvent]) throws -> [DocumentKey: Data] {
        var documents: [DocumentKey: Data] = [:]
        for projection in projections {
            documents.merge(try ProjectionFold.documents(projection, events: events)) { _, new in new }
        }
        return documents
    }

    /// Every document of the session that is missing or differs from the fold of `events`.
    public static func drift(_ events: [StoredEvent], documents: any DocumentStore) async throws -> [Drift] {
        var drifts: [Drift] = []
        for (key, body) in try expected(events).sorted(by: { ($0.key.collection.name, $0.key.id) < ($1.key.collection.name, $1.key.id) }) {
            guard let stored = try await documents.get(key.collection, id: key.id) else {
                drifts.append(Drift(collection: key.collection.name, id: key.id, detail: "missing from the read model"))
                continue
            }
            if let difference = JSONDifference.first(stored: stored.body, expected: body) {
                drifts.append(Drift(collection: key.collection.name, id: key.id, detail: difference))
            }
        }
        return drifts
    }

    /// Whether every session projection has applied `event` (so a comparison is meaningful).
    public static func applied(_ event: StoredEvent, documents: any DocumentStore) async throws -> Bool {
        for projection in projections where try await documents.appliedPosition(projection: projection.name).checkpoint < event.checkpoint {
            return false
        }
        return true
    }
}

/// The first place two JSON documents differ, as a path with both values.
enum JSONDifference {
    static func first(stored: Data, expected: Data) -> String? {
        guard let lhs = try? JSONSerialization.jsonObject(with: stored, options: .fragmentsAllowed),
            let rhs = try? JSONSerialization.jsonObject(with: expected, options: .fragmentsAllowed)
        else {
            return stored == expected ? nil : "not comparable JSON"
        }
        return first(lhs, rhs, path: "$")
    }

    private static func first(_ stored: Any, _ expected: Any, path: String) -> String? {
        switch (stored, expected) {
        case let (lhs as [String: Any], rhs as [String: Any]):
            for key in Set(lhs.keys).union(rhs.keys).sorted() {
                switch (lhs[key], rhs[key]) {
                case let (left?, right?):
                    if let found = first(left, right, path: "\(path).\(key)") { return found }
                case (nil, _?): return "\(path).\(key): absent, log says \(render(rhs[key]!))"
                case (_?, nil): return "\(path).\(key): \(render(lhs[key]!)), log says absent"
                case (nil, nil): continue
                }
            }
            return nil
        case let (lhs as [Any], rhs as [Any]):
            for (index, (left, right)) in zip(lhs, rhs).enumerated() {
                if let found = first(left, right, path: "\(path)[\(index)]") { return found }
            }
            return lhs.count == rhs.count ? nil : "\(path): \(lhs.count) items, log says \(rhs.count)"
        default:
            return (stored as? NSObject)?.isEqual(expected) == true ? nil : "\(path): \(render(stored)), log says \(render(expected))"
        }
    }

    private static func render(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]),
            let text = String(data: data, encoding: .utf8)
        else { return "\(value)" }
        return text.count > 120 ? String(text.prefix(117)) + "…" : text
    }
}
