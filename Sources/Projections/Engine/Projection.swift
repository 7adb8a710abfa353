import Commands
import EventStore
import Foundation

/// A read model: the event types it handles, the documents each event touches, and how an event
/// changes them. `apply` is pure over the documents it is given: the runner loads them, applies a
/// batch, and commits the changed ones with the checkpoint.
public protocol Projection: Sendable {
    /// Unique name; also the owner of its collections.
    var name: String { get }
    /// Event types to read from the log.
    var eventTypes: [String] { get }
    /// The documents `apply` will read or write for this event.
    func keys(for event: StoredEvent) -> [DocumentKey]
    /// Applies one event. Must skip documents already at or past `event.version` (redelivery).
    func apply(_ event: StoredEvent, to documents: inout DocumentSet) throws
    /// Documents that every event of this event's stream changes, so their version is the stream
    /// version they have applied (a session's seat map). Empty when there are none.
    func streamKeys(for event: StoredEvent) -> [DocumentKey]
    /// Documents of `keys` that this event creates, so the stepper does not look them up first: none
    /// can exist before it but by redelivery, and then the store's version guard keeps the stored one.
    /// Never a stream key, whose version is how the stepper notices events it missed.
    func createdKeys(for event: StoredEvent) -> [DocumentKey]
}

extension Projection {
    public func streamKeys(for event: StoredEvent) -> [DocumentKey] { [] }
    public func createdKeys(for event: StoredEvent) -> [DocumentKey] { [] }

    /// What a batch must load: every key an event reads, not the ones an event only creates.
    func keysToLoad(_ events: [StoredEvent]) -> Set<DocumentKey> {
        var keys: Set<DocumentKey> = []
        for event in events {
            let created = createdKeys(for: event)
            keys.formUnion(created.isEmpty ? self.keys(for: event) : self.keys(for: event).filter { !created.contains($0) })
        }
        return keys
    }
}

/// A read model of one aggregate's events, in the manner of Emmett's projections: the engine decodes each
/// stored event once and `evolve` folds it, typed, into the documents. `stored` carries the stream, version
/// and position; an event none of whose documents is behind it (redelivery) never reaches `evolve`.
public protocol ReadModel: Projection {
    associatedtype Event: DomainEvent
    func evolve(_ documents: inout DocumentSet, _ event: Event, _ stored: StoredEvent) throws
}

extension ReadModel {
    public var eventTypes: [String] { Event.typeNames }

    public func apply(_ event: StoredEvent, to documents: inout DocumentSet) throws {
        let version = Int64(event.version)
        guard keys(for: event).contains(where: { documents.version(of: $0) < version }),
            let typed = try Event.decode(type: event.type, data: event.data)
        else { return }
        try evolve(&documents, typed, event)
    }
}

/// A document that an earlier event of the same stream created is not there. Applying the event anyway
/// would lose it for good once the checkpoint moves on: the stepper replays the stream instead, and a
/// step that still cannot apply it fails and is retried.
public struct MissingDocument: Error, CustomStringConvertible {
    public var key: DocumentKey
    public var event: StoredEvent

    public var description: String {
        "\(key.collection.name)/\(key.id) is missing for \(event.type) v\(event.version) of \(event.streamId)"
    }
}

/// The documents a batch works on: loaded once, decoded on first use, encoded once at commit.
public struct DocumentSet {
    private var raw: [DocumentKey: StoredDocument]
    private var decoded: [DocumentKey: any Codable & Sendable] = [:]
    private var versions: [DocumentKey: Int64] = [:]
    private var changed: Set<DocumentKey> = []

    public init(_ loaded: [DocumentKey: StoredDocument]) {
        raw = loaded
        for (key, document) in loaded { versions[key] = document.version }
    }

    /// Documents from the store plus ones already decoded (a projector's cache of its own commits).
    init(_ loaded: [DocumentKey: StoredDocument], cached: [DocumentKey: DocumentCache.Entry]) {
        self.init(loaded)
        for (key, entry) in cached {
            decoded[key] = entry.value
            versions[key] = entry.version
        }
    }

    /// The changed documents as decoded values, to remember once they are committed.
    func committedEntries() -> [DocumentKey: DocumentCache.Entry] {
        Dictionary(uniqueKeysWithValues: changed.map { ($0, DocumentCache.Entry(version: versions[$0] ?? 0, value: decoded[$0]!)) })
    }

    /// The stream version last applied to a document (0 when it does not exist).
    public func version(of key: DocumentKey) -> Int64 { versions[key] ?? 0 }

    /// The document decoded as `T`; `MissingDocument` when an earlier event of `event`'s stream should have made it.
    public mutating func require<T: Codable & Sendable>(_ key: DocumentKey, as type: T.Type, for event: StoredEvent) throws -> T {
        guard let value = try get(key, as: type) else { throw MissingDocument(key: key, event: event) }
        return value
    }

    /// The document decoded as `T`, or nil when absent.
    public mutating func get<T: Codable & Sendable>(_ key: DocumentKey, as type: T.Type) throws -> T? {
        if let value = decoded[key] { return value as? T }
        guard let document = raw[key] else { return nil }
        let value = try EventJSON.decoder.decode(T.self, from: document.body)
        decoded[key] = value
        return value
    }

    /// Replaces a document and records the stream version that produced it.
    public mutating func put<T: Codable & Sendable>(_ key: DocumentKey, _ value: T, version: Int64) {
        decoded[key] = value
        versions[key] = version
        changed.insert(key)
    }

    /// Encodes every changed document.
    func writes() throws -> [DocumentWrite] {
        let encoder = EventJSON.encoder
        return try changed.map { key in
            DocumentWrite(key: key, version: versions[key] ?? 0, body: try encoder.encode(AnyEncodable(decoded[key]!)))
        }
    }
}

private struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
