import Foundation

/// One booking as the session aggregate knows it.
public struct Booking: Codable, Equatable, Sendable {
    public var id: String
    public var userId: String
    public var seats: [String]?
    public var sectionId: String?
    public var qty: Int?
    public var amount: Decimal
    public var status: BookingStatus
    public var holdExpiresAt: Date?
    public var createdAt: Date
    /// Set on a guest's booking (no account): see `BookingPlaced.guestName`.
    public var guestName: String?
    /// How many times the hold was extended (nil: never).
    public var extensions: Int?
    /// Set on places offered to a waiter (`SeatsOffered`): confirming accepts the offer.
    public var offered: Bool?

    /// The event that records this due hold's lapse: `OfferExpired` for an offer, else `HoldExpired`.
    public func expiry(at now: Date) -> SessionEvent {
        let change = BookingChanged(bookingId: id, at: now)
        return offered == true ? .offerExpired(change) : .holdExpired(change)
    }

    /// Whether this is a hold whose deadline has passed at `now` (it no longer occupies anything).
    public func isDueHold(at now: Date) -> Bool {
        guard status == .held, let deadline = holdExpiresAt else { return false }
        return deadline <= now
    }
}

/// Where a seat sits and what it costs.
public struct SeatInfo: Equatable, Sendable {
    public var sectionId: String
    public var row: String
    public var number: Int
    public var price: Decimal

    public init(sectionId: String, row: String, number: Int, price: Decimal) {
        self.sectionId = sectionId
        self.row = row
        self.number = number
        self.price = price
    }
}

/// The inventory of one session and every booking on it: the consistency boundary for seats.
public struct SessionState: Equatable, Sendable {
    /// The session as scheduled; nil before.
    public var session: SessionScheduled?
    /// Every seat of a seated session, by id.
    public var seats: [String: SeatInfo] = [:]
    /// The active (HELD or CONFIRMED) booking occupying each seat.
    public var seatHolder: [String: String] = [:]
    /// Tickets held or confirmed per GA section.
    public var gaTaken: [String: Int] = [:]
    /// Every booking ever placed on the session.
    public var bookings: [String: Booking] = [:]
    /// Holds that are still HELD, with their deadlines: what expiry has to look at.
    public var openHolds: [String: Date] = [:]
    /// Every block the admin made, by id.
    public var blocks: [String: SeatBlock] = [:]
    /// The block each blocked seat is in.
    public var seatBlock: [String: String] = [:]
    /// Buyers waiting for places, in the order they joined.
    public var waitlist: [Waiter] = []
    /// Offers made so far (an offer's id is the session's id and its number).
    public var offersMade = 0
    /// The on-sale's waiting room, if the admin opened one.
    public var room: WaitingRoom?
    /// Every ticket issued, by id, and the ids of each booking's tickets in order.
    public var ticketsById: [String: Ticket] = [:]
    public var ticketsOfBooking: [String: [String]] = [:]
    /// Scans recorded, by scanner and scan id.
    public var scans: [String: RecordedScan] = [:]

    public init() {}

    /// GA section by id.
    public func gaSection(_ id: String) -> GASection? {
        session?.gaSections.first { $0.id == id }
    }

    /// Places left in a GA section, counting due holds as still taken (they are released by an event).
    public func remaining(in sectionId: String) -> Int {
        guard let section = gaSection(sectionId) else { return 0 }
        return section.capacity - gaTaken[sectionId, default: 0]
    }
}

extension SessionDecider {
    public static var initialState: SessionState { SessionState() }

    public static func evolve(_ state: inout SessionState, _ event: SessionEvent) {
        switch event {
        case .scheduled(let scheduled):
            state.session = scheduled
            for section in scheduled.seatSections {
                for row in section.rows {
                    for (offset, id) in row.seatIds.enumerated() {
                        state.seats[id] = SeatInfo(sectionId: section.id, row: row.row, number: offset + 1, price: section.price)
                    }
                }
            }
        case .bookingPlaced(let placed), .seatsOffered(let placed):
            var booking = Booking(
                id: placed.bookingId, userId: placed.userId, seats: placed.seats, sectionId: placed.sectionId,
                qty: placed.qty, amount: placed.amount, status: placed.status,
                holdExpiresAt: placed.holdExpiresAt, createdAt: placed.createdAt, guestName: placed.guestName)
            if case .seatsOffered = event {
                booking.offered = true
                state.offersMade += 1
                state.waitlist.removeAll { $0.userId == placed.userId }
            }
            state.bookings[placed.bookingId] = booking
            if let blockId = placed.blockId { unblock(&state, blockId, placed.seats ?? []) }
            occupy(&state, booking, taking: true)
            if placed.status == .held, let deadline = placed.holdExpiresAt {
                state.openHolds[placed.bookingId] = deadline
            }
        case .bookingConfirmed(let change):
            transition(&state, change.bookingId, to: .confirmed)
        case .bookingCancelled(let change):
            transition(&state, change.bookingId, to: .cancelled)
        case .holdExpired(let change), .offerExpired(let change):
            transition(&state, change.bookingId, to: .expired)
        case .waitlistJoined(let waiter):
            state.waitlist.append(waiter)
        case .waitlistLeft(let left):
            state.waitlist.removeAll { $0.userId == left.userId }
        case .waitingRoomOpened(let opened):
            state.room = WaitingRoom(onSaleAt: opened.onSaleAt, admitPerMinute: opened.admitPerMinute)
        case .queueJoined(let joined):
            state.room?.join(joined)
        case .admitted(let admitted):
            state.room?.admit(admitted.userIds.count)
        case .salesChanged(let sales):
            state.session?.sales = sales
        case .holdExtended(let extended):
            guard var booking = state.bookings[extended.bookingId], booking.status == .held else { return }
            booking.holdExpiresAt = extended.holdExpiresAt
            booking.extensions = (booking.extensions ?? 0) + 1
            state.bookings[extended.bookingId] = booking
            state.openHolds[extended.bookingId] = extended.holdExpiresAt
        case .seatsBlocked(let blocked):
            state.blocks[blocked.blockId] = SeatBlock(
                id: blocked.blockId, seats: blocked.seats, reason: blocked.reason, blockedAt: blocked.at)
            for seat in blocked.seats { state.seatBlock[seat] = blocked.blockId }
        case .seatsReleased(let released):
            unblock(&state, released.blockId, released.seats)
            state.blocks[released.blockId]?.releasedAt = released.at
        case .ticketIssued(let issued):
            state.ticketsById[issued.ticketId] = Ticket(
                id: issued.ticketId, bookingId: issued.bookingId, seat: issued.seat, sectionId: issued.sectionId, issuedAt: issued.at)
            state.ticketsOfBooking[issued.bookingId, default: []].append(issued.ticketId)
        case .ticketVoided(let voided):
            state.ticketsById[voided.ticketId]?.voidedAt = voided.at
        case .ticketCheckedIn(let scan):
            state.scans[RecordedScan.key(scanner: scan.scannerId, scan: scan.scanId)] = RecordedScan(
                ticketId: scan.ticketId, doubleEntry: scan.doubleEntry == true, gate: scan.gate, scannedAt: scan.scannedAt)
            if state.ticketsById[scan.ticketId]?.entry == nil {
                state.ticketsById[scan.ticketId]?.entry = TicketEntry(at: scan.scannedAt, gate: scan.gate, scanId: scan.scanId)
            }
        }
    }

    /// Takes `seats` out of a block (booked from it, or released).
    private static func unblock(_ state: inout SessionState, _ blockId: String, _ seats: [String]) {
        let leaving = Set(seats)
        state.blocks[blockId]?.seats.removeAll { leaving.contains($0) }
        for seat in seats where state.seatBlock[seat] == blockId { state.seatBlock[seat] = nil }
    }

    private static func transition(_ state: inout SessionState, _ bookingId: String, to status: BookingStatus) {
        guard var booking = state.bookings[bookingId], booking.status != status else { return }
        let wasActive = booking.status.isActive
        booking.status = status
        state.bookings[bookingId] = booking
        state.openHolds[bookingId] = nil
        if wasActive && !status.isActive { occupy(&state, booking, taking: false) }
    }

    private static func occupy(_ state: inout SessionState, _ booking: Booking, taking: Bool) {
        for seat in booking.seats ?? [] {
            if taking {
                state.seatHolder[seat] = booking.id
            } else if state.seatHolder[seat] == booking.id {
                state.seatHolder[seat] = nil
            }
        }
        if let section = booking.sectionId, let qty = booking.qty {
            state.gaTaken[section, default: 0] += taking ? qty : -qty
        }
    }
}
