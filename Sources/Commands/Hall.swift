import Foundation

/// Events of a hall stream (`hall-<id>`).
public enum HallEvent: DomainEvent, Equatable {
    /// A hall and its seat layout were created.
    case created(HallCreated)

    public static let types: [EventType] = [.hallCreated]

    public var type: EventType {
        switch self {
        case .created: .hallCreated
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .created(let payload): try EventJSON.encoder.encode(payload)
        }
    }

    public static func decode(type: String, data: Data) throws -> HallEvent? {
        switch EventType(rawValue: type) {
        case .hallCreated: .created(try EventJSON.decoder.decode(HallCreated.self, from: data))
        default: nil
        }
    }
}

/// Payload of `HallCreated`.
public struct HallCreated: Codable, Equatable, Sendable {
    public var hallId: String
    public var name: String
    public var sections: [SeatSection]

    public init(hallId: String, name: String, sections: [SeatSection]) {
        self.hallId = hallId
        self.name = name
        self.sections = sections
    }
}

/// A hall: created once, then only read (sessions copy its layout).
public struct HallState: Codable, Equatable, Sendable {
    /// The hall as created; nil before.
    public var hall: HallCreated?

    public init(hall: HallCreated? = nil) { self.hall = hall }
}

/// Commands on a hall.
public enum HallCommand: Sendable {
    /// Create the hall with this layout.
    case create(HallCreated)
}

/// The hall aggregate.
public enum HallDecider: Decider {
    public static var initialState: HallState { HallState() }

    public static func evolve(_ state: inout HallState, _ event: HallEvent) {
        switch event {
        case .created(let created): state.hall = created
        }
    }

    public static func decide(_ command: HallCommand, _ state: HallState, now: Date) throws(DomainError) -> [HallEvent] {
        switch command {
        case .create(let hall):
            guard state.hall == nil else { throw .alreadyExists("hall") }
            try LayoutRules.name(hall.name, field: "name")
            try LayoutRules.seated(hall.sections)
            return [.created(hall)]
        }
    }

    public static func outcome(of command: HallCommand, in state: HallState) -> HallState { state }
}
