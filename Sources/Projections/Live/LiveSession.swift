import Commands
import Foundation

/// One session's seat map kept current in a gateway's memory, moved event by event through the seat
/// map's one transition (`SeatMap.move`). It only ever holds committed events, in stream order.
struct LiveSession: Sendable {
    private(set) var scheduled: SessionScheduled
    private(set) var map: SeatMap
    /// Position of the last event applied.
    private(set) var position: Int64
    /// Active (HELD or CONFIRMED) bookings: what a later confirmation, cancellation or expiry moves.
    private var active: [String: (occupancy: Occupancy, status: BookingStatus)]
    /// Renderings of this version, made on first use.
    var rendered: [SeatMapFormat: Data] = [:]

    var version: Int { map.version }

    /// The session as a folded state shows it at `version`.
    init?(_ state: SessionState, version: Int, position: Int64) {
        guard let scheduled = state.session else { return nil }
        self.scheduled = scheduled
        map = SeatMap.of(state, version: version)
        map.sessionId = scheduled.sessionId
        self.position = position
        active = [:]
        for booking in state.bookings.values where booking.status.isActive {
            active[booking.id] = (
                Occupancy(
                    seats: booking.seats, sectionId: booking.sectionId, qty: booking.qty,
                    holdExpiresAt: booking.holdExpiresAt), booking.status
            )
        }
    }

    /// The seats `event` moves, asked before it is applied (a cancellation's seats are those of its booking).
    func seats(touchedBy event: SessionEvent) -> [String] {
        switch event {
        case .bookingPlaced(let placed), .seatsOffered(let placed): placed.seats ?? []
        case .bookingConfirmed(let change), .bookingCancelled(let change), .holdExpired(let change), .offerExpired(let change):
            active[change.bookingId]?.occupancy.seats ?? []
        case .holdExtended(let extended): active[extended.bookingId]?.occupancy.seats ?? []
        case .seatsBlocked(let blocked): blocked.seats
        case .seatsReleased(let released): released.seats
        case .scheduled, .salesChanged, .waitlistJoined, .waitlistLeft, .waitingRoomOpened, .queueJoined, .admitted, .ticketIssued,
            .ticketVoided, .ticketCheckedIn:
            []
        }
    }

    /// Applies the event of the next version; false when `version` is not the next one (a gap: the
    /// caller drops this copy and builds a new one from the stream).
    mutating func apply(_ event: SessionEvent, version: Int, position: Int64) -> Bool {
        guard version == map.version + 1 else { return version <= map.version }
        switch event {
        case .scheduled, .waitlistJoined, .waitlistLeft, .waitingRoomOpened, .queueJoined, .admitted, .ticketIssued, .ticketVoided,
            .ticketCheckedIn:
            break
        case .bookingPlaced(let placed), .seatsOffered(let placed):
            let occupancy = Occupancy(
                seats: placed.seats, sectionId: placed.sectionId, qty: placed.qty,
                holdExpiresAt: placed.holdExpiresAt)
            map.move(occupancy, from: nil, to: placed.status)
            if placed.status.isActive { active[placed.bookingId] = (occupancy, placed.status) }
        case .salesChanged(let sales):
            scheduled.sales = sales
        case .seatsBlocked(let blocked):
            map.setAside(blocked.seats, blocked: true)
        case .seatsReleased(let released):
            map.setAside(released.seats, blocked: false)
        case .holdExtended(let extended):
            if var booking = active[extended.bookingId], booking.status == .held {
                booking.occupancy.holdExpiresAt = extended.holdExpiresAt
                map.move(booking.occupancy, from: .held, to: .held)
                active[extended.bookingId] = booking
            }
        case .bookingConfirmed(let change), .bookingCancelled(let change), .holdExpired(let change), .offerExpired(let change):
            let status = event.resultingStatus!
            if let booking = active[change.bookingId], booking.status != status {
                map.move(booking.occupancy, from: booking.status, to: status)
                active[change.bookingId] = status.isActive ? (booking.occupancy, status) : nil
            }
        }
        map.version = version
        self.position = position
        rendered = [:]
        return true
    }
}
