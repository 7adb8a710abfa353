import Foundation

/// Who is acting: admin may act on any booking, a user only on their own, a guest (no credential but
/// the booking id) only on a guest's booking.
public enum Actor: Equatable, Sendable {
    case admin
    case user(String)
    case guest

    func mayAct(on booking: Booking) -> Bool {
        switch self {
        case .admin: true
        case .user(let id): id == booking.userId
        case .guest: booking.guestName != nil
        }
    }
}

/// Take specific seats for a user.
public struct HoldSeats: Sendable {
    public var bookingId: String
    public var userId: String
    public var seats: [String]
    /// Confirm at once instead of holding.
    public var confirm: Bool
    /// How long a hold lasts.
    public var holdTTL: TimeInterval
    /// Set for a guest's booking.
    public var guestName: String?

    public init(
        bookingId: String, userId: String, seats: [String], confirm: Bool, holdTTL: TimeInterval, guestName: String? = nil
    ) {
        self.bookingId = bookingId
        self.userId = userId
        self.seats = seats
        self.confirm = confirm
        self.holdTTL = holdTTL
        self.guestName = guestName
    }
}

/// Take a quantity of tickets in a GA section for a user.
public struct BookQuantity: Sendable {
    public var bookingId: String
    public var userId: String
    /// Which section; may be omitted when the session has only one.
    public var sectionId: String?
    public var qty: Int
    /// Hold instead of confirming at once.
    public var hold: Bool
    public var holdTTL: TimeInterval
    /// Set for a guest's booking.
    public var guestName: String?

    public init(
        bookingId: String, userId: String, sectionId: String?, qty: Int, hold: Bool, holdTTL: TimeInterval,
        guestName: String? = nil
    ) {
        self.bookingId = bookingId
        self.userId = userId
        self.sectionId = sectionId
        self.qty = qty
        self.hold = hold
        self.holdTTL = holdTTL
        self.guestName = guestName
    }
}

/// Hold (or book) the best `count` free seats instead of named ones (see `BestAvailable`).
public struct ReserveBest: Sendable {
    public var bookingId: String
    public var userId: String
    public var count: Int
    /// Only seats of this section; nil: any.
    public var section: String?
    /// Adjacent seats in one row (the default) or the best seats wherever they are.
    public var together: Bool
    public var confirm: Bool
    public var holdTTL: TimeInterval
    public var guestName: String?

    public init(
        bookingId: String, userId: String, count: Int, section: String?, together: Bool, confirm: Bool,
        holdTTL: TimeInterval, guestName: String? = nil
    ) {
        self.bookingId = bookingId
        self.userId = userId
        self.count = count
        self.section = section
        self.together = together
        self.confirm = confirm
        self.holdTTL = holdTTL
        self.guestName = guestName
    }
}

/// How far a holder may push a live hold's deadline (`POST /bookings/:id/extend`).
public struct HoldExtensionRules: Sendable, Equatable {
    /// Each extension moves the deadline by this much.
    public var ttl: TimeInterval
    /// How many extensions one hold gets.
    public var maxExtensions: Int
    /// The deadline never passes placement plus this.
    public var maxHold: TimeInterval

    public init(ttl: TimeInterval, maxExtensions: Int, maxHold: TimeInterval) {
        self.ttl = ttl
        self.maxExtensions = maxExtensions
        self.maxHold = maxHold
    }
}

/// Commands on a session's inventory.
public enum SessionCommand: Sendable {
    case schedule(SessionScheduled)
    case holdSeats(HoldSeats)
    case reserveBest(ReserveBest)
    case bookQuantity(BookQuantity)
    case confirm(bookingId: String, by: Actor)
    case cancel(bookingId: String, by: Actor)
    case extend(bookingId: String, by: Actor, rules: HoldExtensionRules)
    /// The admin sets the per-buyer cap and the sales window (`SessionSalesChanged`).
    case changeSales(SalesSettings)
    /// Record the expiry of a due hold; a no-op for anything else (the expiry worker may be late or doubled).
    case expire(bookingId: String)

    /// The booking a command is about, if any.
    public var bookingId: String? {
        switch self {
        case .schedule, .changeSales: nil
        case .holdSeats(let c): c.bookingId
        case .reserveBest(let c): c.bookingId
        case .bookQuantity(let c): c.bookingId
        case .confirm(let id, _), .cancel(let id, _), .expire(let id), .extend(let id, _, _): id
        }
    }
}

/// What a caller sees after a session command: the session and the booking it touched.
public struct SessionOutcome: Codable, Sendable {
    /// The session, for the command that schedules it.
    public var session: SessionScheduled? = nil
    public var booking: Booking? = nil
    /// Places left in the booking's GA section.
    public var remaining: Int? = nil
}

/// The session aggregate: every decision about its seats is checked against its stream version.
public enum SessionDecider: Decider {
    public static func decide(_ command: SessionCommand, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        switch command {
        case .schedule(let scheduled):
            return try schedule(scheduled, state)
        case .holdSeats(let hold):
            return try holdSeats(hold, state, now: now)
        case .reserveBest(let best):
            guard let session = state.session else { throw .notFound("session") }
            guard session.kind == .seated else { throw .invalid("this session is general admission: book a quantity with sectionId and qty") }
            guard best.count >= 1 else { throw .invalid("count must be at least 1") }
            if let section = best.section, !session.seatSections.contains(where: { $0.id == section }) { throw .notFound("section") }
            let seats = try BestAvailable.choose(best.count, section: best.section, together: best.together, in: state, now: now)
            // The choice already avoids lone seats wherever the layout allows: the named-seat rule is not asked.
            return try holdSeats(
                HoldSeats(
                    bookingId: best.bookingId, userId: best.userId, seats: seats, confirm: best.confirm, holdTTL: best.holdTTL,
                    guestName: best.guestName), state, now: now, singles: .allow)
        case .bookQuantity(let book):
            return try bookQuantity(book, state, now: now)
        case .confirm(let bookingId, let actor):
            let booking = try existing(bookingId, in: state, actor: actor)
            switch booking.status {
            case .confirmed: return []
            case .cancelled: throw .bookingCancelled
            case .expired: throw .holdExpired
            case .held:
                if booking.isDueHold(at: now) { throw .holdExpired }
                return [.bookingConfirmed(BookingChanged(bookingId: bookingId, at: now))]
            }
        case .cancel(let bookingId, let actor):
            let booking = try existing(bookingId, in: state, actor: actor)
            switch booking.status {
            case .cancelled: return []
            case .expired: throw .holdExpired
            case .held where booking.isDueHold(at: now): throw .holdExpired
            case .held, .confirmed: return [.bookingCancelled(BookingChanged(bookingId: bookingId, at: now))]
            }
        case .extend(let bookingId, let actor, let rules):
            let booking = try existing(bookingId, in: state, actor: actor)
            switch booking.status {
            case .confirmed: throw .holdNotExtendable("the booking is confirmed: there is no hold to extend")
            case .cancelled: throw .bookingCancelled
            case .expired: throw .holdExpired
            case .held:
                guard !booking.isDueHold(at: now), let deadline = booking.holdExpiresAt else { throw .holdExpired }
                guard (booking.extensions ?? 0) < rules.maxExtensions else {
                    throw .holdNotExtendable("a hold may be extended \(rules.maxExtensions) time(s)")
                }
                let extended = min(deadline.addingTimeInterval(rules.ttl), booking.createdAt.addingTimeInterval(rules.maxHold))
                guard extended > deadline else {
                    throw .holdNotExtendable("a hold lasts at most \(Int(rules.maxHold)) seconds from when it was placed")
                }
                return [.holdExtended(HoldExtended(bookingId: bookingId, holdExpiresAt: extended, at: now))]
            }
        case .changeSales(let sales):
            guard state.session != nil else { throw .notFound("session") }
            try SalesRules.validate(sales)
            return state.session?.sales == sales ? [] : [.salesChanged(sales)]
        case .expire(let bookingId):
            guard let booking = state.bookings[bookingId], booking.isDueHold(at: now) else { return [] }
            return [.holdExpired(BookingChanged(bookingId: bookingId, at: now))]
        }
    }

    public static func outcome(of command: SessionCommand, in state: SessionState) -> SessionOutcome {
        // Only scheduling answers with the session. A booking's outcome is stored with its idempotency key,
        // and the whole hall in it made every keyed command cost as much as the hall is large.
        if case .schedule = command { return SessionOutcome(session: state.session) }
        if case .changeSales = command { return SessionOutcome(session: state.session) }
        let booking = command.bookingId.flatMap { state.bookings[$0] }
        let remaining = booking?.sectionId.map { state.remaining(in: $0) }
        return SessionOutcome(booking: booking, remaining: remaining)
    }

    private static func schedule(_ scheduled: SessionScheduled, _ state: SessionState) throws(DomainError) -> [SessionEvent] {
        guard state.session == nil else { throw .alreadyExists("session") }
        try SalesRules.validate(scheduled.sales)
        try LayoutRules.name(scheduled.title, field: "title")
        switch scheduled.kind {
        case .seated:
            guard scheduled.gaSections.isEmpty else { throw .invalid("a seated session has no GA sections") }
            try LayoutRules.seated(scheduled.seatSections)
        case .general:
            guard scheduled.seatSections.isEmpty else { throw .invalid("a GA session has no seats") }
            try LayoutRules.general(scheduled.gaSections)
        }
        return [.scheduled(scheduled)]
    }

    private static func existing(_ bookingId: String, in state: SessionState, actor: Actor) throws(DomainError) -> Booking {
        guard let booking = state.bookings[bookingId] else { throw .notFound("booking") }
        guard actor.mayAct(on: booking) else { throw .forbidden }
        return booking
    }

    private static func holdSeats(
        _ hold: HoldSeats, _ state: SessionState, now: Date, singles: SingleSeatPolicy? = nil
    ) throws(DomainError) -> [SessionEvent] {
        guard let session = state.session else { throw .notFound("session") }
        guard state.bookings[hold.bookingId] == nil else { throw .alreadyExists("booking") }
        guard session.kind == .seated else { throw .invalid("this session is general admission: book a quantity with sectionId and qty") }
        guard !hold.seats.isEmpty else { throw .invalid("seats must not be empty") }
        guard Set(hold.seats).count == hold.seats.count else { throw .invalid("seats must not repeat") }
        if let guest = hold.guestName { try LayoutRules.name(guest, field: "userName") }
        let unknown = hold.seats.filter { state.seats[$0] == nil }
        guard unknown.isEmpty else { throw .invalid("unknown seats: \(unknown.joined(separator: ", "))") }

        var expiries: [SessionEvent] = []
        var taken: [String] = []
        for seat in hold.seats {
            guard let holderId = state.seatHolder[seat], let holder = state.bookings[holderId] else { continue }
            if holder.isDueHold(at: now) {
                if !expiries.contains(where: { $0.changedBookingId == holderId }) {
                    expiries.append(.holdExpired(BookingChanged(bookingId: holderId, at: now)))
                }
            } else {
                taken.append(seat)
            }
        }
        guard taken.isEmpty else { throw .seatUnavailable(taken) }
        try SalesRules.check(hold.userId, wants: hold.seats.count, in: state, now: now)
        if (singles ?? session.singleSeatRule) == .refuse { try SingleSeatRule.check(hold.seats, in: state, now: now) }

        let amount = hold.seats.reduce(Decimal(0)) { $0 + (state.seats[$1]?.price ?? 0) }
        let placed = BookingPlaced(
            bookingId: hold.bookingId, userId: hold.userId, seats: hold.seats, sectionId: nil, qty: nil,
            amount: amount, status: hold.confirm ? .confirmed : .held,
            holdExpiresAt: hold.confirm ? nil : now.addingTimeInterval(hold.holdTTL), createdAt: now,
            guestName: hold.guestName)
        return expiries + [.bookingPlaced(placed)]
    }

    private static func bookQuantity(_ book: BookQuantity, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard let session = state.session else { throw .notFound("session") }
        guard state.bookings[book.bookingId] == nil else { throw .alreadyExists("booking") }
        guard session.kind == .general else { throw .invalid("this session is seated: reserve seats by id") }
        let sectionId = book.sectionId ?? (session.gaSections.count == 1 ? session.gaSections[0].id : nil)
        guard let sectionId else { throw .invalid("sectionId is required: this event has several sections") }
        guard let section = state.gaSection(sectionId) else { throw .notFound("section") }
        guard book.qty >= 1 else { throw .invalid("qty must be at least 1") }
        if let guest = book.guestName { try LayoutRules.name(guest, field: "userName") }

        var remaining = state.remaining(in: section.id)
        var expiries: [SessionEvent] = []
        if remaining < book.qty {
            // Due holds still count as taken until an event releases them; release them here first.
            for (bookingId, deadline) in state.openHolds.sorted(by: { $0.key < $1.key }) where deadline <= now {
                guard let holder = state.bookings[bookingId], holder.sectionId == section.id else { continue }
                expiries.append(.holdExpired(BookingChanged(bookingId: bookingId, at: now)))
                remaining += holder.qty ?? 0
            }
        }
        guard remaining >= book.qty else { throw .insufficientCapacity(remaining: remaining) }
        try SalesRules.check(book.userId, wants: book.qty, in: state, now: now)

        let placed = BookingPlaced(
            bookingId: book.bookingId, userId: book.userId, seats: nil, sectionId: section.id, qty: book.qty,
            amount: section.price * Decimal(book.qty), status: book.hold ? .held : .confirmed,
            holdExpiresAt: book.hold ? now.addingTimeInterval(book.holdTTL) : nil, createdAt: now,
            guestName: book.guestName)
        return expiries + [.bookingPlaced(placed)]
    }
}

extension SessionEvent {
    /// The booking a state change is about (nil for placements and scheduling).
    var changedBookingId: String? {
        switch self {
        case .bookingConfirmed(let c), .bookingCancelled(let c), .holdExpired(let c): c.bookingId
        case .holdExtended(let e): e.bookingId
        case .scheduled, .bookingPlaced, .salesChanged: nil
        }
    }
}
