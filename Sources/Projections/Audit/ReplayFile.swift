import Commands
import EventStore
import Foundation

/// The recorded-history format of `Replays/` and `boxoffice replay record`: one event per JSON line,
/// `{"streamId","version","position","type","recordedAt","data","metadata"}`, and the read models the
/// live system held for it as `{"<collection>": {"<id>": document}}`.
public enum ReplayFile {
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    public static func line(for event: StoredEvent) throws -> Data {
        let object: [String: Any] = [
            "streamId": event.streamId, "version": event.version, "position": event.position, "type": event.type,
            "recordedAt": ISO8601.string(from: event.recordedAt),
            "data": try JSONSerialization.jsonObject(with: event.data),
            "metadata": try JSONSerialization.jsonObject(with: try JSONEncoder().encode(event.metadata)),
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Events of a JSON-lines file, in file order. Their reader order follows the file (the
    /// transaction id is taken from the position, which is all a single recorded stream needs).
    public static func events(jsonLines: Data) throws -> [StoredEvent] {
        try String(decoding: jsonLines, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated().map { number, line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let streamId = object["streamId"] as? String, let version = object["version"] as? Int,
                let position = (object["position"] as? NSNumber)?.int64Value, let type = object["type"] as? String,
                let recorded = (object["recordedAt"] as? String).flatMap(ISO8601.date(from:)),
                let data = object["data"], let metadata = object["metadata"]
            else {
                throw Malformed(description: "line \(number + 1): expected streamId, version, position, type, recordedAt, data, metadata")
            }
            return StoredEvent(
                position: position, streamId: streamId, version: version, type: type,
                data: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]),
                metadata: try JSONDecoder().decode(EventMetadata.self, from: JSONSerialization.data(withJSONObject: metadata)),
                transactionId: UInt64(max(position, 0)), recordedAt: recorded)
        }
    }

    public static func readModelsJSON(_ documents: [String: [String: Data]]) throws -> Data {
        let object = try documents.mapValues { byId in try byId.mapValues { try JSONSerialization.jsonObject(with: $0) } }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }

    /// Documents by collection name and id, as JSON bodies.
    public static func readModels(_ data: Data) throws -> [String: [String: Data]] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else {
            throw Malformed(description: "expected {\"<collection>\": {\"<id>\": document}}")
        }
        return try object.mapValues { byId in try byId.mapValues { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } }
    }
}
