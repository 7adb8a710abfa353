import Commands
import EventStore
import Foundation

/// Users' details, from their own streams.
public struct UserProjection: Projection {
    public static let users = Collection(projection: "users", name: "users")
    public let name = "users"
    public let eventTypes = UserEvent.typeNames

    public init() {}

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        [DocumentKey(Self.users, Streams.userId(ofStream: event.streamId))]
    }

    public func apply(_ event: StoredEvent, to documents: inout DocumentSet) throws {
        let key = keys(for: event)[0]
        guard documents.version(of: key) < Int64(event.version),
            case .registered(let user)? = try UserEvent.decode(type: event.type, data: event.data)
        else { return }
        documents.put(
            key, UserDocument(id: user.userId, name: user.name, email: user.email, registeredAt: user.registeredAt),
            version: Int64(event.version))
    }
}

/// Halls and their layouts.
public struct HallProjection: Projection {
    public static let halls = Collection(projection: "halls", name: "halls")
    public let name = "halls"
    public let eventTypes = HallEvent.typeNames

    public init() {}

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        [DocumentKey(Self.halls, Streams.hallId(ofStream: event.streamId))]
    }

    public func apply(_ event: StoredEvent, to documents: inout DocumentSet) throws {
        let key = keys(for: event)[0]
        guard documents.version(of: key) < Int64(event.version),
            case .created(let hall)? = try HallEvent.decode(type: event.type, data: event.data)
        else { return }
        let sections = hall.sections.map {
            HallDocument.Section(id: $0.id, name: $0.name, price: $0.price, rows: $0.rows, seatIds: $0.rows.flatMap(\.seatIds))
        }
        documents.put(
            key,
            HallDocument(
                id: hall.hallId, name: hall.name, sections: sections,
                seatCount: sections.reduce(0) { $0 + $1.seatIds.count }),
            version: Int64(event.version))
    }
}

/// Every projection of the system, by name.
public enum Projections {
    public static let all: [any Projection] = [SessionProjection(), UserProjection(), HallProjection(), KPIProjection()]

    public static func named(_ name: String) -> (any Projection)? {
        all.first { $0.name == name }
    }
}
