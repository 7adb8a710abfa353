import Foundation

/// The session aggregate: every decision about its seats is checked against its stream version.
public enum SessionDecider: Decider {
    public static func decide(_ command: SessionCommand, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        withTickets(try decideBookings(command, state, now: now), state, seed: command.ticketSeed, now: now)
    }

    private static func decideBookings(_ command: SessionCommand, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
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
        case .confirm(let bookingId, let actor, _):
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
            case .held, .confirmed: return withOffers([.bookingCancelled(BookingChanged(bookingId: bookingId, at: now))], state, now: now)
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
        case .blockSeats(let blockId, let seats, let reason):
            return try block(blockId, seats: seats, reason: reason, state, now: now)
        case .releaseBlock(let blockId):
            return withOffers(try release(blockId, state, now: now), state, now: now)
        case .joinWaitlist(let waiter):
            return try join(waiter, state, now: now)
        case .leaveWaitlist(let userId):
            return try leave(userId, state, now: now)
        case .openWaitingRoom(let onSaleAt, let rate):
            return try openRoom(WaitingRoomOpened(onSaleAt: onSaleAt, admitPerMinute: rate, at: now), state, now: now)
        case .joinQueue(let userId, let ticket):
            return try joinQueue(userId, ticket: ticket, state, now: now)
        case .bookFromBlock(let book):
            return try bookFromBlock(book, state, now: now)
        case .expire(let bookingId):
            guard let booking = state.bookings[bookingId], booking.isDueHold(at: now) else { return [] }
            return withOffers([booking.expiry(at: now)], state, now: now)
        case .checkIn(let scans, let online, let window):
            return try checkIn(scans, online: online, window: window, state, now: now)
        }
    }

    public static func outcome(of command: SessionCommand, in state: SessionState) -> SessionOutcome {
        switch command {
        // Only the session's own settings answer with the session. A booking's outcome is stored with its
        // idempotency key, and the whole hall in it made every keyed command cost as much as the hall is large.
        case .schedule, .changeSales:
            return SessionOutcome(session: state.session)
        case .blockSeats(let id, _, _), .releaseBlock(let id):
            return SessionOutcome(block: state.blocks[id])
        case .joinWaitlist(let waiter):
            return SessionOutcome(
                waiter: state.waitlist.first { $0.userId == waiter.userId }, place: state.waitingPosition(of: waiter.userId),
                waiting: state.waitlist.count)
        case .leaveWaitlist:
            return SessionOutcome(waiting: state.waitlist.count)
        case .openWaitingRoom:
            return SessionOutcome(onSaleAt: state.room?.onSaleAt)
        case .joinQueue(let userId, _):
            guard let room = state.room else { return SessionOutcome() }
            // Before sales open the early buyers' order is not drawn yet; a later arrival's place is final.
            let place = room.arrivedLate(userId) ? room.index(of: userId).map { $0 + 1 } : nil
            return SessionOutcome(waiting: room.count, onSaleAt: room.onSaleAt).placing(place, in: room)
        case .checkIn(let scans, _, let window):
            return SessionOutcome(session: state.session, scans: results(of: scans, window: window, in: state))
        case .holdSeats, .reserveBest, .bookQuantity, .bookFromBlock, .confirm, .cancel, .extend, .expire:
            let booking = command.bookingId.flatMap { state.bookings[$0] }
            let remaining = booking?.sectionId.map { state.remaining(in: $0) }
            return SessionOutcome(booking: booking, remaining: remaining)
        }
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
        if let guest = hold.guestName { try LayoutRules.name(guest, field: "userName") }
        let expiries = try freeForTaking(hold.seats, in: state, now: now)
        try SalesRules.check(hold.userId, wants: hold.seats.count, in: state, now: now)
        let admissions = try admission(of: hold.userId, in: state, now: now)
        if (singles ?? session.singleSeatRule) == .refuse { try SingleSeatRule.check(hold.seats, in: state, now: now) }

        let amount = hold.seats.reduce(Decimal(0)) { $0 + (state.seats[$1]?.price ?? 0) }
        let placed = BookingPlaced(
            bookingId: hold.bookingId, userId: hold.userId, seats: hold.seats, sectionId: nil, qty: nil,
            amount: amount, status: hold.confirm ? .confirmed : .held,
            holdExpiresAt: hold.confirm ? nil : now.addingTimeInterval(hold.holdTTL), createdAt: now,
            guestName: hold.guestName)
        return admissions + expiries + [.bookingPlaced(placed)]
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
        // While anyone waits, places of a lapsed hold go to the waiting list first (through its expiry).
        if remaining < book.qty, state.waitlist.isEmpty {
            // Due holds still count as taken until an event releases them; release them here first.
            for (bookingId, deadline) in state.openHolds.sorted(by: { $0.key < $1.key }) where deadline <= now {
                guard let holder = state.bookings[bookingId], holder.sectionId == section.id else { continue }
                expiries.append(holder.expiry(at: now))
                remaining += holder.qty ?? 0
            }
        }
        guard remaining >= book.qty else { throw .insufficientCapacity(remaining: remaining) }
        try SalesRules.check(book.userId, wants: book.qty, in: state, now: now)
        let admissions = try admission(of: book.userId, in: state, now: now)

        let placed = BookingPlaced(
            bookingId: book.bookingId, userId: book.userId, seats: nil, sectionId: section.id, qty: book.qty,
            amount: section.price * Decimal(book.qty), status: book.hold ? .held : .confirmed,
            holdExpiresAt: book.hold ? now.addingTimeInterval(book.holdTTL) : nil, createdAt: now,
            guestName: book.guestName)
        return admissions + expiries + [.bookingPlaced(placed)]
    }
}

extension SessionEvent {
    /// The booking a state change is about (nil for placements and scheduling).
    var changedBookingId: String? {
        switch self {
        case .bookingConfirmed(let c), .bookingCancelled(let c), .holdExpired(let c): c.bookingId
        case .holdExtended(let e): e.bookingId
        case .offerExpired(let c): c.bookingId
        case .scheduled, .bookingPlaced, .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .seatsOffered,
            .waitingRoomOpened, .queueJoined, .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn:
            nil
        }
    }
}
