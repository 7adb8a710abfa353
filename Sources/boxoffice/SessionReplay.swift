import Commands
import EventStore
import Foundation
import Projections

/// One session's events folded step by step: the timeline with running counts, and the seat map
/// as of any version. Pure over the events it is given.
struct SessionReplay {
    struct Step: Encodable {
        var version: Int
        var position: Int64
        var recordedAt: Date
        var type: String
        /// Who acted: the user id, `admin` for the inventory, `system` for workers (hold expiry).
        var actor: String
        var bookingId: String?
        /// Seats or `qty × section` the event is about.
        var subject: String?
        var status: String?
        var correlationId: String
        var counts: SeatCounts
    }

    let sessionId: String
    let events: [StoredEvent]
    private(set) var steps: [Step] = []
    private var states: [SessionState] = []

    init(sessionId: String, events: [StoredEvent]) throws {
        self.sessionId = sessionId
        self.events = events
        var state = SessionDecider.initialState
        var bookings: [String: BookingPlaced] = [:]
        for event in events {
            guard let decoded = try SessionEvent.decode(type: event.type, data: event.data) else { continue }
            SessionDecider.evolve(&state, decoded)
            states.append(state)
            var step = Step(
                version: event.version, position: event.position, recordedAt: event.recordedAt, type: event.type,
                actor: event.metadata.userId ?? (Self.adminEvents.contains(event.type) ? "admin" : "system"),
                correlationId: event.metadata.correlationId,
                counts: SeatMap.of(state, version: event.version).summary)
            switch decoded {
            case .scheduled(let scheduled):
                step.subject = scheduled.kind == .seated ? "hall \(scheduled.hall?.name ?? "-")" : "general admission"
            case .bookingPlaced(let placed), .seatsOffered(let placed):
                bookings[placed.bookingId] = placed
                step.bookingId = placed.bookingId
                step.subject = Self.subject(placed) + (placed.blockId.map { " from block \($0)" } ?? "")
                if case .seatsOffered = decoded { step.subject = "offered: \(Self.subject(placed)); \(state.waitlist.count) waiting" }
                if placed.blockId != nil, event.metadata.userId == nil { step.actor = "admin" }
                step.status = placed.status.rawValue
            case .bookingConfirmed(let change), .bookingCancelled(let change), .holdExpired(let change), .offerExpired(let change):
                step.bookingId = change.bookingId
                step.subject = bookings[change.bookingId].map(Self.subject)
                step.status = decoded.resultingStatus?.rawValue
            case .salesChanged(let sales):
                step.subject =
                    "sales: cap \(sales.maxSeatsPerUser.map(String.init) ?? "none"), from "
                    + "\(sales.salesOpenAt.map { ISO8601.string(from: $0) } ?? "now") until \(sales.salesCloseAt.map { ISO8601.string(from: $0) } ?? "the end")"
            case .waitlistJoined(let waiter):
                step.subject = "waits for \(waiter.count)\(waiter.sectionId.map { " × \($0)" } ?? ""); \(state.waitlist.count) waiting"
            case .waitingRoomOpened(let opened):
                step.subject = "waiting room: on sale \(ISO8601.string(from: opened.onSaleAt)), \(opened.admitPerMinute)/min"
            case .queueJoined:
                step.subject = "queued; \(state.room?.count ?? 0) in the room"
            case .admitted(let admitted):
                step.subject = "admitted \(admitted.userIds.count); \(state.room?.admittedCount ?? 0) so far"
            case .waitlistLeft:
                step.subject = "left the waiting list; \(state.waitlist.count) waiting"
            case .seatsBlocked(let blocked):
                step.subject = "\(blocked.seats.joined(separator: " ")) blocked (\(blocked.blockId): \(blocked.reason))"
            case .seatsReleased(let released):
                step.subject = "\(released.seats.joined(separator: " ")) released (\(released.blockId))"
            case .holdExtended(let extended):
                step.bookingId = extended.bookingId
                step.subject = bookings[extended.bookingId].map(Self.subject).map {
                    "\($0), held until \(ISO8601.string(from: extended.holdExpiresAt))"
                }
                step.status = decoded.resultingStatus?.rawValue
            case .ticketIssued(let issued):
                step.bookingId = issued.bookingId
                step.subject = "ticket \(issued.ticketId) issued for \(issued.seat ?? issued.sectionId ?? "-")"
            case .ticketVoided(let voided):
                step.bookingId = voided.bookingId
                step.subject = "ticket \(voided.ticketId) voided"
            case .ticketCheckedIn(let scan):
                step.bookingId = scan.bookingId
                let first = state.ticketsById[scan.ticketId]?.entry
                step.subject =
                    scan.doubleEntry == true
                    ? "ticket \(scan.ticketId): double entry at \(scan.gate) (first in at \(first?.gate ?? "-"))"
                    : "ticket \(scan.ticketId) checked in at \(scan.gate)"
            }
            steps.append(step)
        }
    }

    var title: String { states.last?.session?.title ?? sessionId }

    /// Events only the admin records (its token names no user).
    private static let adminEvents = Set(
        [EventType.sessionScheduled, .sessionSalesChanged, .seatsBlocked, .seatsReleased].map(\.rawValue))

    /// The seat map right after `version` (the head when nil).
    func seatMap(asOf version: Int?) -> SeatMap {
        let index = min(version ?? states.count, states.count) - 1
        guard index >= 0 else { return SeatMap.of(SessionDecider.initialState, version: 0) }
        return SeatMap.of(states[index], version: steps[index].version)
    }

    private static func subject(_ placed: BookingPlaced) -> String {
        if let seats = placed.seats { return seats.joined(separator: " ") }
        return "\(placed.qty ?? 0) × \(placed.sectionId ?? "-")"
    }
}
