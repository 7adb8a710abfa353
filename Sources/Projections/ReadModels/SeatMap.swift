import Commands
import Foundation

/// One seat as the public sees it: never who holds it.
public struct SeatView: Codable, Equatable, Sendable {
    public var id: String
    public var row: String
    public var number: Int
    public var section: String
    public var price: Decimal
    public var status: SeatStatus
    public var holdExpiresAt: Date?
}

/// The seat map of a session at one version: its tally and every seat.
///
/// Every seat map (the gateway's live one, audit replay's) and the durable tally are the empty layout
/// moved booking by booking through `SeatTally.move`: one transition, so they cannot disagree about
/// what a status change does.
public struct SeatMap: Codable, Equatable, Sendable {
    public var sessionId: String
    public var version: Int
    public var seats: [SeatView]
    public var sections: [SectionView]
    public var summary: SeatCounts
    /// Which seats are blocked is in `seats`; the tally keeps the list for the durable form.
    var blockedSeats: [String]?

    enum CodingKeys: String, CodingKey { case sessionId, version, seats, sections, summary }

    /// Every seat available and every GA place remaining.
    public init(scheduled: SessionScheduled, version: Int) {
        let tally = SeatTally(scheduled: scheduled, version: version)
        sessionId = tally.sessionId
        self.version = version
        sections = tally.sections
        summary = tally.summary
        seats = []
        for section in scheduled.seatSections {
            for row in section.rows {
                for (offset, id) in row.seatIds.enumerated() {
                    seats.append(
                        SeatView(
                            id: id, row: row.row, number: offset + 1, section: section.id, price: section.price,
                            status: .available, holdExpiresAt: nil))
                }
            }
        }
    }

    public init(sessionId: String, version: Int, seats: [SeatView], sections: [SectionView], summary: SeatCounts) {
        self.sessionId = sessionId
        self.version = version
        self.seats = seats
        self.sections = sections
        self.summary = summary
    }

    /// The counts without the seats.
    public var tally: SeatTally {
        get { SeatTally(sessionId: sessionId, version: version, sections: sections, summary: summary, blockedSeats: blockedSeats) }
        set {
            sessionId = newValue.sessionId
            version = newValue.version
            sections = newValue.sections
            summary = newValue.summary
            blockedSeats = newValue.blockedSeats
        }
    }

    /// Renders the map from a folded session state. Audit replay uses it on the fold of the events,
    /// so it shows exactly what the log says, due holds included until their expiry is recorded.
    public static func of(_ state: SessionState, version: Int) -> SeatMap {
        guard let session = state.session else {
            return SeatMap(sessionId: "", version: version, seats: [], sections: [], summary: SeatCounts())
        }
        var map = SeatMap(scheduled: session, version: version)
        for block in state.blocks.values.sorted(by: { $0.id < $1.id }) where block.isActive {
            map.setAside(block.seats, blocked: true)
        }
        for booking in state.bookings.values.sorted(by: { $0.id < $1.id }) where booking.status.isActive {
            map.move(
                Occupancy(
                    seats: booking.seats, sectionId: booking.sectionId, qty: booking.qty,
                    holdExpiresAt: booking.holdExpiresAt),
                from: nil, to: booking.status)
        }
        return map
    }

    /// The seat map from its durable parts: the layout, the tally (with the blocked seats), and the
    /// session's active bookings.
    public static func assemble(_ scheduled: SessionScheduled, tally: SeatTally, activeBookings: [BookingDocument]) -> SeatMap {
        var map = SeatMap(scheduled: scheduled, version: tally.version)
        map.setAside(tally.blockedSeats ?? [], blocked: true)
        for booking in activeBookings.sorted(by: { $0.id < $1.id }) where booking.status.isActive {
            map.move(booking.occupancy, from: nil, to: booking.status)
        }
        map.sessionId = tally.sessionId
        map.tally = tally
        return map
    }

    /// The transition applied to this map's seats and tally.
    public mutating func move(_ booking: Occupancy, from previous: BookingStatus?, to current: BookingStatus) {
        var tally = self.tally
        // Moved out and back rather than copied: a 2,000-seat list per event would cost more than the move.
        var list = SeatList(seats: [])
        swap(&list.seats, &seats)
        tally.move(booking, from: previous, to: current, seats: &list)
        swap(&list.seats, &seats)
        self.tally = tally
    }

    /// The block transition applied to this map's seats and tally.
    public mutating func setAside(_ ids: [String], blocked: Bool) {
        var tally = self.tally
        var list = SeatList(seats: [])
        swap(&list.seats, &seats)
        tally.setAside(ids, blocked: blocked, seats: &list)
        swap(&list.seats, &seats)
        self.tally = tally
    }
}

/// A seat map's seat list as the transition's seat statuses.
struct SeatList: SeatStatuses {
    var seats: [SeatView]

    mutating func replace(_ seat: String, with status: SeatStatus, holdExpiresAt: Date?) -> SeatStatus? {
        guard let index = seats.firstIndex(where: { $0.id == seat }) else { return nil }
        let old = seats[index].status
        seats[index].status = status
        seats[index].holdExpiresAt = holdExpiresAt
        return old
    }
}
