import Foundation

/// Seats the admin keeps back from sale (house seats, the press, a broken seat): a block as the session
/// aggregate knows it. Released and booked-out blocks stay, so a repeated release changes nothing.
public struct SeatBlock: Codable, Equatable, Sendable {
    public var id: String
    /// The seats still blocked: booking from the block or releasing it takes seats out.
    public var seats: [String]
    public var reason: String
    public var blockedAt: Date
    public var releasedAt: Date?

    /// Whether the block still keeps seats back.
    public var isActive: Bool { releasedAt == nil && !seats.isEmpty }
}

/// Payload of `SeatsBlocked`.
public struct SeatsBlocked: Codable, Equatable, Sendable {
    public var blockId: String
    public var seats: [String]
    public var reason: String
    public var at: Date

    public init(blockId: String, seats: [String], reason: String, at: Date) {
        self.blockId = blockId
        self.seats = seats
        self.reason = reason
        self.at = at
    }
}

/// Payload of `SeatsReleased`: the block's remaining seats go on sale.
public struct SeatsReleased: Codable, Equatable, Sendable {
    public var blockId: String
    public var seats: [String]
    public var at: Date

    public init(blockId: String, seats: [String], at: Date) {
        self.blockId = blockId
        self.seats = seats
        self.at = at
    }
}

/// The admin books seats of a block for a named user.
public struct BookFromBlock: Sendable {
    public var blockId: String
    public var bookingId: String
    public var userId: String
    /// Which of the block's seats; nil: all it still holds.
    public var seats: [String]?
    public var confirm: Bool
    public var holdTTL: TimeInterval
    public var ticketSeed: String?

    public init(
        blockId: String, bookingId: String, userId: String, seats: [String]?, confirm: Bool, holdTTL: TimeInterval,
        ticketSeed: String? = nil
    ) {
        self.ticketSeed = ticketSeed
        self.blockId = blockId
        self.bookingId = bookingId
        self.userId = userId
        self.seats = seats
        self.confirm = confirm
        self.holdTTL = holdTTL
    }
}

/// Blocks are decided in the session's decider like holds, so a seat is either blocked or held, never
/// both, whatever the race between the admin and the buyers.
extension SessionDecider {
    static func block(
        _ blockId: String, seats: [String], reason: String, _ state: SessionState, now: Date
    ) throws(DomainError) -> [SessionEvent] {
        guard let session = state.session else { throw .notFound("session") }
        guard session.kind == .seated else { throw .invalid("only a seated session has seats to block") }
        guard state.blocks[blockId] == nil else { throw .alreadyExists("block") }
        try LayoutRules.name(reason, field: "reason")
        let expiries = try freeForTaking(seats, in: state, now: now)
        return expiries + [.seatsBlocked(SeatsBlocked(blockId: blockId, seats: seats, reason: reason, at: now))]
    }

    static func release(_ blockId: String, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard state.session != nil else { throw .notFound("session") }
        guard let block = state.blocks[blockId] else { throw .notFound("block") }
        guard block.isActive else { return [] }
        return [.seatsReleased(SeatsReleased(blockId: blockId, seats: block.seats, at: now))]
    }

    static func bookFromBlock(_ book: BookFromBlock, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard state.session != nil else { throw .notFound("session") }
        guard let block = state.blocks[book.blockId] else { throw .notFound("block") }
        guard state.bookings[book.bookingId] == nil else { throw .alreadyExists("booking") }
        guard block.isActive else { throw .blockEmpty(book.blockId) }
        let seats = book.seats ?? block.seats
        guard !seats.isEmpty else { throw .invalid("seats must not be empty") }
        guard Set(seats).count == seats.count else { throw .invalid("seats must not repeat") }
        let outside = seats.filter { !block.seats.contains($0) }
        guard outside.isEmpty else { throw .seatUnavailable(outside) }
        // House seats are the admin's to give: neither the sales window nor the per-buyer cap applies.
        let placed = BookingPlaced(
            bookingId: book.bookingId, userId: book.userId, seats: seats, sectionId: nil, qty: nil,
            amount: seats.reduce(Decimal(0)) { $0 + (state.seats[$1]?.price ?? 0) },
            status: book.confirm ? .confirmed : .held,
            holdExpiresAt: book.confirm ? nil : now.addingTimeInterval(book.holdTTL), createdAt: now, blockId: book.blockId)
        return [.bookingPlaced(placed)]
    }

    /// Checks that `seats` are seats of the session, free now, and in no block; answers the expiries of
    /// due holds on them, which must be recorded before the seats are taken.
    static func freeForTaking(_ seats: [String], in state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard !seats.isEmpty else { throw .invalid("seats must not be empty") }
        guard Set(seats).count == seats.count else { throw .invalid("seats must not repeat") }
        let unknown = seats.filter { state.seats[$0] == nil }
        guard unknown.isEmpty else { throw .invalid("unknown seats: \(unknown.joined(separator: ", "))") }
        var expiries: [SessionEvent] = []
        var taken: [String] = []
        for seat in seats {
            if state.seatBlock[seat] != nil {
                taken.append(seat)
                continue
            }
            guard let holderId = state.seatHolder[seat], let holder = state.bookings[holderId] else { continue }
            // While anyone waits, a lapsed hold's seats go to the waiting list first (through its expiry).
            if holder.isDueHold(at: now), state.waitlist.isEmpty {
                if !expiries.contains(where: { $0.changedBookingId == holderId }) {
                    expiries.append(holder.expiry(at: now))
                }
            } else {
                taken.append(seat)
            }
        }
        guard taken.isEmpty else { throw .seatUnavailable(taken) }
        return expiries
    }
}
