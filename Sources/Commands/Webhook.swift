import Foundation

/// Events of a webhook registration stream (`webhook-<id>`): the log is the outbox, and the
/// registrations that say what to deliver where are in the log too, so the delivery worker knows,
/// at every position, which endpoints had asked for that event.
public enum WebhookEvent: DomainEvent, Equatable {
    /// An endpoint was registered.
    case registered(WebhookRegistered)
    /// An endpoint was removed: nothing after this is delivered to it.
    case removed(WebhookRemoved)

    public static let types: [EventType] = [.webhookRegistered, .webhookRemoved]

    public var type: EventType {
        switch self {
        case .registered: .webhookRegistered
        case .removed: .webhookRemoved
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .registered(let payload): try EventJSON.encoder.encode(payload)
        case .removed(let payload): try EventJSON.encoder.encode(payload)
        }
    }

    public static func decode(type: String, data: Data) throws -> WebhookEvent? {
        switch EventType(rawValue: type) {
        case .webhookRegistered: .registered(try EventJSON.decoder.decode(WebhookRegistered.self, from: data))
        case .webhookRemoved: .removed(try EventJSON.decoder.decode(WebhookRemoved.self, from: data))
        default: nil
        }
    }
}

/// Payload of `WebhookRegistered`. The secret is kept in the log because signing needs it in clear;
/// no route returns it.
public struct WebhookRegistered: Codable, Equatable, Sendable {
    public var webhookId: String
    public var url: String
    /// Event type names, or `*` for every event except the webhooks' own.
    public var events: [String]
    public var secret: String
    public var createdAt: Date

    public init(webhookId: String, url: String, events: [String], secret: String, createdAt: Date) {
        self.webhookId = webhookId
        self.url = url
        self.events = events
        self.secret = secret
        self.createdAt = createdAt
    }

    /// Whether this registration asks for events of `type`.
    public func wants(_ type: String) -> Bool {
        guard !WebhookEvent.typeNames.contains(type) else { return false }
        return events.contains("*") || events.contains(type)
    }
}

/// Payload of `WebhookRemoved`.
public struct WebhookRemoved: Codable, Equatable, Sendable {
    public var webhookId: String
    public var removedAt: Date

    public init(webhookId: String, removedAt: Date) {
        self.webhookId = webhookId
        self.removedAt = removedAt
    }
}
