import Foundation

/// Whether a session sells numbered seats or general-admission quantities.
public enum SessionKind: String, Codable, Sendable {
    case seated
    case general
}

/// Lifecycle of a booking: `HELD → CONFIRMED`, `HELD → EXPIRED | CANCELLED`, `CONFIRMED → CANCELLED`.
public enum BookingStatus: String, Codable, Sendable {
    case held = "HELD"
    case confirmed = "CONFIRMED"
    case expired = "EXPIRED"
    case cancelled = "CANCELLED"

    /// Whether the booking still occupies its seats or tickets.
    public var isActive: Bool { self == .held || self == .confirmed }
}

/// The hall a seated session takes place in.
public struct HallRef: Codable, Equatable, Sendable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// Payload of `SessionScheduled`: the whole inventory, so the stream folds without reading the hall.
public struct SessionScheduled: Codable, Equatable, Sendable {
    public var sessionId: String
    public var title: String
    public var startsAt: Date?
    public var kind: SessionKind
    public var hall: HallRef?
    /// Seated sections (empty for a GA session).
    public var seatSections: [SeatSection]
    /// GA sections (empty for a seated session).
    public var gaSections: [GASection]
    /// `refuse`: named-seat reservations may not leave a lone free seat (nil: allowed).
    public var singleSeatRule: SingleSeatPolicy?
    /// Most seats or tickets one user may hold or have booked in the session at once (nil: no cap).
    public var maxSeatsPerUser: Int?
    /// Bookings are taken from this moment (nil: at once) until `salesCloseAt` (nil: no end).
    public var salesOpenAt: Date?
    public var salesCloseAt: Date?

    public init(
        sessionId: String, title: String, startsAt: Date?, kind: SessionKind, hall: HallRef?,
        seatSections: [SeatSection], gaSections: [GASection], singleSeatRule: SingleSeatPolicy? = nil
    ) {
        self.sessionId = sessionId
        self.title = title
        self.startsAt = startsAt
        self.kind = kind
        self.hall = hall
        self.seatSections = seatSections
        self.gaSections = gaSections
        self.singleSeatRule = singleSeatRule
    }
}

extension SessionScheduled {
    /// The cap and window, as `SessionSalesChanged` sets them.
    public var sales: SalesSettings {
        get { SalesSettings(maxSeatsPerUser: maxSeatsPerUser, salesOpenAt: salesOpenAt, salesCloseAt: salesCloseAt) }
        set {
            maxSeatsPerUser = newValue.maxSeatsPerUser
            salesOpenAt = newValue.salesOpenAt
            salesCloseAt = newValue.salesCloseAt
        }
    }
}

/// Payload of `SessionSalesChanged`: the session's per-buyer cap and sales window from now on (nil: none).
public struct SalesSettings: Codable, Equatable, Sendable {
    public var maxSeatsPerUser: Int?
    public var salesOpenAt: Date?
    public var salesCloseAt: Date?

    public init(maxSeatsPerUser: Int?, salesOpenAt: Date?, salesCloseAt: Date?) {
        self.maxSeatsPerUser = maxSeatsPerUser
        self.salesOpenAt = salesOpenAt
        self.salesCloseAt = salesCloseAt
    }
}

/// Whether a session lets buyers who name their seats leave single seats nobody will buy.
public enum SingleSeatPolicy: String, Codable, Sendable {
    case allow
    case refuse
}

/// Payload of `BookingPlaced`: seats or a GA quantity taken, held or confirmed at once.
public struct BookingPlaced: Codable, Equatable, Sendable {
    public var bookingId: String
    public var userId: String
    public var seats: [String]?
    public var sectionId: String?
    public var qty: Int?
    public var amount: Decimal
    public var status: BookingStatus
    public var holdExpiresAt: Date?
    public var createdAt: Date
    /// The name a guest gave (seed 004's `userName`): set only on a booking made without an account,
    /// whose booking id is then its only credential.
    public var guestName: String?
    /// The block the admin booked these seats from (they were not on sale).
    public var blockId: String?

    public init(
        bookingId: String, userId: String, seats: [String]?, sectionId: String?, qty: Int?,
        amount: Decimal, status: BookingStatus, holdExpiresAt: Date?, createdAt: Date, guestName: String? = nil,
        blockId: String? = nil
    ) {
        self.bookingId = bookingId
        self.userId = userId
        self.seats = seats
        self.sectionId = sectionId
        self.qty = qty
        self.amount = amount
        self.status = status
        self.holdExpiresAt = holdExpiresAt
        self.createdAt = createdAt
        self.guestName = guestName
        self.blockId = blockId
    }
}

/// Payload of the events that move an existing booking: `BookingConfirmed`, `BookingCancelled`, `HoldExpired`.
public struct BookingChanged: Codable, Equatable, Sendable {
    public var bookingId: String
    public var at: Date

    public init(bookingId: String, at: Date) {
        self.bookingId = bookingId
        self.at = at
    }
}

/// Payload of `HoldExtended`: a live hold's new deadline.
public struct HoldExtended: Codable, Equatable, Sendable {
    public var bookingId: String
    public var holdExpiresAt: Date
    public var at: Date

    public init(bookingId: String, holdExpiresAt: Date, at: Date) {
        self.bookingId = bookingId
        self.holdExpiresAt = holdExpiresAt
        self.at = at
    }
}

/// Events of a session stream (`session-<id>`): the inventory and every booking decision on it.
public enum SessionEvent: DomainEvent, Equatable {
    case scheduled(SessionScheduled)
    case bookingPlaced(BookingPlaced)
    case bookingConfirmed(BookingChanged)
    case bookingCancelled(BookingChanged)
    case holdExpired(BookingChanged)
    case holdExtended(HoldExtended)
    case salesChanged(SalesSettings)
    case seatsBlocked(SeatsBlocked)
    case seatsReleased(SeatsReleased)
    case waitlistJoined(Waiter)
    case waitlistLeft(WaitlistLeft)
    /// Places held for the first waiter they fit: a hold placed for them, with the offer's deadline.
    case seatsOffered(BookingPlaced)
    /// An offer that lapsed unaccepted: its places are free (and offered to the next waiter).
    case offerExpired(BookingChanged)
    case waitingRoomOpened(WaitingRoomOpened)
    case queueJoined(QueueJoined)
    case admitted(Admitted)
    case ticketIssued(TicketIssued)
    case ticketVoided(TicketVoided)
    case ticketCheckedIn(TicketCheckedIn)

    public static let types: [EventType] = [
        .sessionScheduled, .bookingPlaced, .bookingConfirmed, .bookingCancelled, .holdExpired, .holdExtended, .sessionSalesChanged,
        .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .seatsOffered, .offerExpired, .waitingRoomOpened, .queueJoined,
        .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn,
    ]

    public var type: EventType {
        switch self {
        case .scheduled: .sessionScheduled
        case .bookingPlaced: .bookingPlaced
        case .bookingConfirmed: .bookingConfirmed
        case .bookingCancelled: .bookingCancelled
        case .holdExpired: .holdExpired
        case .holdExtended: .holdExtended
        case .salesChanged: .sessionSalesChanged
        case .seatsBlocked: .seatsBlocked
        case .seatsReleased: .seatsReleased
        case .waitlistJoined: .waitlistJoined
        case .waitlistLeft: .waitlistLeft
        case .seatsOffered: .seatsOffered
        case .offerExpired: .offerExpired
        case .waitingRoomOpened: .waitingRoomOpened
        case .queueJoined: .queueJoined
        case .admitted: .admitted
        case .ticketIssued: .ticketIssued
        case .ticketVoided: .ticketVoided
        case .ticketCheckedIn: .ticketCheckedIn
        }
    }

    public func encodedData() throws -> Data {
        let encoder = EventJSON.encoder
        switch self {
        case .scheduled(let payload): return try encoder.encode(payload)
        case .bookingPlaced(let payload): return try encoder.encode(payload)
        case .bookingConfirmed(let payload), .bookingCancelled(let payload), .holdExpired(let payload):
            return try encoder.encode(payload)
        case .holdExtended(let payload): return try encoder.encode(payload)
        case .salesChanged(let payload): return try encoder.encode(payload)
        case .seatsBlocked(let payload): return try encoder.encode(payload)
        case .seatsReleased(let payload): return try encoder.encode(payload)
        case .waitlistJoined(let payload): return try encoder.encode(payload)
        case .waitlistLeft(let payload): return try encoder.encode(payload)
        case .seatsOffered(let payload): return try encoder.encode(payload)
        case .offerExpired(let payload): return try encoder.encode(payload)
        case .waitingRoomOpened(let payload): return try encoder.encode(payload)
        case .queueJoined(let payload): return try encoder.encode(payload)
        case .admitted(let payload): return try encoder.encode(payload)
        case .ticketIssued(let payload): return try encoder.encode(payload)
        case .ticketVoided(let payload): return try encoder.encode(payload)
        case .ticketCheckedIn(let payload): return try encoder.encode(payload)
        }
    }

    public static func decode(type: String, data: Data) throws -> SessionEvent? {
        let decoder = EventJSON.decoder
        switch EventType(rawValue: type) {
        case .sessionScheduled: return .scheduled(try decoder.decode(SessionScheduled.self, from: data))
        case .bookingPlaced: return .bookingPlaced(try decoder.decode(BookingPlaced.self, from: data))
        case .bookingConfirmed: return .bookingConfirmed(try decoder.decode(BookingChanged.self, from: data))
        case .bookingCancelled: return .bookingCancelled(try decoder.decode(BookingChanged.self, from: data))
        case .holdExpired: return .holdExpired(try decoder.decode(BookingChanged.self, from: data))
        case .holdExtended: return .holdExtended(try decoder.decode(HoldExtended.self, from: data))
        case .sessionSalesChanged: return .salesChanged(try decoder.decode(SalesSettings.self, from: data))
        case .seatsBlocked: return .seatsBlocked(try decoder.decode(SeatsBlocked.self, from: data))
        case .seatsReleased: return .seatsReleased(try decoder.decode(SeatsReleased.self, from: data))
        case .waitlistJoined: return .waitlistJoined(try decoder.decode(Waiter.self, from: data))
        case .waitlistLeft: return .waitlistLeft(try decoder.decode(WaitlistLeft.self, from: data))
        case .seatsOffered: return .seatsOffered(try decoder.decode(BookingPlaced.self, from: data))
        case .offerExpired: return .offerExpired(try decoder.decode(BookingChanged.self, from: data))
        case .waitingRoomOpened: return .waitingRoomOpened(try decoder.decode(WaitingRoomOpened.self, from: data))
        case .queueJoined: return .queueJoined(try decoder.decode(QueueJoined.self, from: data))
        case .admitted: return .admitted(try decoder.decode(Admitted.self, from: data))
        case .ticketIssued: return .ticketIssued(try decoder.decode(TicketIssued.self, from: data))
        case .ticketVoided: return .ticketVoided(try decoder.decode(TicketVoided.self, from: data))
        case .ticketCheckedIn: return .ticketCheckedIn(try decoder.decode(TicketCheckedIn.self, from: data))
        default: return nil
        }
    }
}

/// What a seat shows the public: never who holds it.
public enum SeatStatus: String, Codable, Sendable {
    case available = "AVAILABLE"
    case held = "HELD"
    case booked = "BOOKED"
    /// Kept back from sale by the admin (`SeatsBlocked`).
    case blocked = "BLOCKED"

    /// The status of a seat occupied by a booking in `status` (nil: none).
    public init(occupiedBy status: BookingStatus?) {
        switch status {
        case .held?: self = .held
        case .confirmed?: self = .booked
        case .expired?, .cancelled?, nil: self = .available
        }
    }

    /// One letter per seat in the compact seat map (`A`, `H`, `B`, `X`).
    public var letter: Character {
        switch self {
        case .available: "A"
        case .held: "H"
        case .booked: "B"
        case .blocked: "X"
        }
    }
}
