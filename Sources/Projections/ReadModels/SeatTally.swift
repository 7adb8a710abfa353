import Commands
import Foundation

/// Seat or ticket counts of a session.
public struct SeatCounts: Codable, Equatable, Sendable {
    public var total = 0
    public var available = 0
    public var held = 0
    public var booked = 0
    /// Seats kept back from sale (`SeatsBlocked`).
    public var blocked = 0

    public init() {}

    enum CodingKeys: String, CodingKey { case total, available, held, booked, blocked }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        total = try container.decode(Int.self, forKey: .total)
        available = try container.decode(Int.self, forKey: .available)
        held = try container.decode(Int.self, forKey: .held)
        booked = try container.decode(Int.self, forKey: .booked)
        blocked = try container.decodeIfPresent(Int.self, forKey: .blocked) ?? 0
    }

    /// `blocked` only when some seats are: the documents of a session without blocks stay exactly what
    /// they were before blocks existed, so audits of them find no drift.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(total, forKey: .total)
        try container.encode(available, forKey: .available)
        try container.encode(held, forKey: .held)
        try container.encode(booked, forKey: .booked)
        if blocked != 0 { try container.encode(blocked, forKey: .blocked) }
    }

    mutating func count(_ status: SeatStatus, _ delta: Int) {
        switch status {
        case .held: held += delta
        case .booked: booked += delta
        case .available: available += delta
        case .blocked: blocked += delta
        }
    }
}

/// A GA section with its remaining places.
public struct SectionView: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var price: Decimal
    public var capacity: Int
    public var remaining: Int
    public var held: Int
    public var booked: Int
}

/// What one booking occupies: the input of the seat map's one transition.
public struct Occupancy: Sendable, Equatable {
    public var seats: [String]?
    public var sectionId: String?
    public var qty: Int?
    public var holdExpiresAt: Date?

    public init(seats: [String]?, sectionId: String?, qty: Int?, holdExpiresAt: Date?) {
        self.seats = seats
        self.sectionId = sectionId
        self.qty = qty
        self.holdExpiresAt = holdExpiresAt
    }
}

/// Where the transition finds and puts seat statuses: a full seat map's seat list, or (for the durable
/// read model, which keeps no seat list) only what the booking's previous status says they were.
public protocol SeatStatuses {
    /// Sets a seat's status and returns the one it had; nil for a seat that is not in the layout.
    mutating func replace(_ seat: String, with status: SeatStatus, holdExpiresAt: Date?) -> SeatStatus?
}

/// The counts of a session's seat map and its GA sections, without the seats: what the durable read
/// model rewrites per event, whatever the size of the hall.
public struct SeatTally: Codable, Equatable, Sendable {
    public var sessionId: String
    public var version: Int
    public var sections: [SectionView]
    public var summary: SeatCounts
    /// The seats in blocks, sorted (nil: none), so that the durable seat map can draw them.
    public var blockedSeats: [String]?

    /// Every seat available and every GA place remaining.
    public init(scheduled: SessionScheduled, version: Int) {
        sessionId = scheduled.sessionId
        self.version = version
        sections = scheduled.gaSections.map {
            SectionView(id: $0.id, name: $0.name, price: $0.price, capacity: $0.capacity, remaining: $0.capacity, held: 0, booked: 0)
        }
        summary = SeatCounts()
        summary.available =
            scheduled.seatSections.reduce(0) { $0 + $1.rows.reduce(0) { $0 + max($1.seats, 0) } }
            + sections.reduce(0) { $0 + $1.capacity }
        summary.total = summary.available
    }

    init(sessionId: String, version: Int, sections: [SectionView], summary: SeatCounts, blockedSeats: [String]?) {
        self.sessionId = sessionId
        self.version = version
        self.sections = sections
        self.summary = summary
        self.blockedSeats = blockedSeats
    }

    /// The transition: moves a booking's seats or tickets from its previous status (nil: newly placed,
    /// from sale or from a block) to its current one.
    public mutating func move<Seats: SeatStatuses>(
        _ booking: Occupancy, from previous: BookingStatus?, to current: BookingStatus,
        seats: inout Seats
    ) {
        let status = SeatStatus(occupiedBy: current)
        for seat in booking.seats ?? [] {
            guard let old = seats.replace(seat, with: status, holdExpiresAt: status == .held ? booking.holdExpiresAt : nil) else { continue }
            summary.count(old, -1)
            summary.count(status, +1)
            if old == .blocked { setBlocked(seat, false) }
        }
        if let sectionId = booking.sectionId, let qty = booking.qty,
            let index = sections.firstIndex(where: { $0.id == sectionId })
        {
            adjust(section: index, previous, -qty)
            adjust(section: index, current, +qty)
            sections[index].remaining = sections[index].capacity - sections[index].held - sections[index].booked
        }
    }

    /// The other transition: seats kept back from sale (`SeatsBlocked`) or put back on it (`SeatsReleased`).
    public mutating func setAside<Seats: SeatStatuses>(_ ids: [String], blocked: Bool, seats: inout Seats) {
        let status: SeatStatus = blocked ? .blocked : .available
        for seat in ids {
            guard let old = seats.replace(seat, with: status, holdExpiresAt: nil) else { continue }
            summary.count(old, -1)
            summary.count(status, +1)
            setBlocked(seat, blocked)
        }
    }

    /// Keeps `blockedSeats` sorted, changed in place (a block of n seats must not copy the list n times).
    private mutating func setBlocked(_ seat: String, _ blocked: Bool) {
        if blockedSeats == nil { blockedSeats = [] }
        let index = blockedSeats!.firstIndex { $0 >= seat } ?? blockedSeats!.count
        let present = index < blockedSeats!.count && blockedSeats![index] == seat
        if blocked && !present { blockedSeats!.insert(seat, at: index) }
        if !blocked && present { blockedSeats!.remove(at: index) }
        if blockedSeats!.isEmpty { blockedSeats = nil }
    }

    private mutating func adjust(section index: Int, _ status: BookingStatus?, _ qty: Int) {
        switch status {
        case .held?:
            sections[index].held += qty
            summary.count(.held, qty)
            summary.count(.available, -qty)
        case .confirmed?:
            sections[index].booked += qty
            summary.count(.booked, qty)
            summary.count(.available, -qty)
        default: break
        }
    }
}

/// Seats as the event says they were (a booking's previous status, or blocked for a booking from a block),
/// for a tally kept without a seat list.
struct SeatsOfBooking: SeatStatuses {
    let previous: SeatStatus

    func replace(_ seat: String, with status: SeatStatus, holdExpiresAt: Date?) -> SeatStatus? { previous }
}
