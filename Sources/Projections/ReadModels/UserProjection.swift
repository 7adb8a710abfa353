import Commands
import EventStore
import Foundation

/// Users' details, from their own streams.
public struct UserProjection: ReadModel {
    public static let users = Collection(projection: "users", name: "users")
    public let name = "users"

    public init() {}

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        [DocumentKey(Self.users, Streams.userId(ofStream: event.streamId))]
    }

    /// The only event of the stream creates the document.
    public func createdKeys(for event: StoredEvent) -> [DocumentKey] { keys(for: event) }

    public func evolve(_ documents: inout DocumentSet, _ event: UserEvent, _ stored: StoredEvent) throws {
        switch event {
        case .registered(let user):
            documents.put(
                keys(for: stored)[0], UserDocument(id: user.userId, name: user.name, email: user.email, registeredAt: user.registeredAt),
                version: Int64(stored.version))
        }
    }
}
