import Foundation

/// A buyer waiting for a sold-out session (or GA section), in the order they joined.
public struct Waiter: Codable, Equatable, Sendable {
    public var userId: String
    /// Seats or tickets wanted, all in one offer.
    public var count: Int
    /// The GA section waited for (nil for a seated session).
    public var sectionId: String?
    /// How long an offer to this waiter is held for them.
    public var offerTTL: TimeInterval
    public var joinedAt: Date

    public init(userId: String, count: Int, sectionId: String?, offerTTL: TimeInterval, joinedAt: Date) {
        self.userId = userId
        self.count = count
        self.sectionId = sectionId
        self.offerTTL = offerTTL
        self.joinedAt = joinedAt
    }
}

/// Payload of `WaitlistLeft`.
public struct WaitlistLeft: Codable, Equatable, Sendable {
    public var userId: String
    public var at: Date

    public init(userId: String, at: Date) {
        self.userId = userId
        self.at = at
    }
}

/// Waiting lists are decided in the session's decider: seats that come free (a cancellation, an
/// expiry, a released block, a lapsed offer) are offered in the same decision that frees them, so no
/// buyer ever sees them free while someone waits whose count fits.
extension SessionDecider {
    /// Joining is for a sold-out session: when `count` places are free, the buyer should just book.
    static func join(_ waiter: Waiter, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard let session = state.session else { throw .notFound("session") }
        guard waiter.count >= 1 else { throw .invalid("count must be at least 1") }
        guard !state.waitlist.contains(where: { $0.userId == waiter.userId }) else { throw .alreadyExists("waiting list entry") }
        var waiter = waiter
        switch session.kind {
        case .seated:
            guard waiter.sectionId == nil else { throw .invalid("a seated session has one waiting list: leave out sectionId") }
            let free = SeatRows(state, now: now).rows.reduce(0) { $0 + $1.free.filter { $0 }.count }
            guard free < waiter.count else { throw .placesAvailable(free) }
        case .general:
            let sectionId = waiter.sectionId ?? (session.gaSections.count == 1 ? session.gaSections[0].id : nil)
            guard let sectionId else { throw .invalid("sectionId is required: this event has several sections") }
            guard state.gaSection(sectionId) != nil else { throw .notFound("section") }
            let remaining = state.remaining(in: sectionId)
            guard remaining < waiter.count else { throw .placesAvailable(remaining) }
            waiter.sectionId = sectionId
        }
        try SalesRules.check(waiter.userId, wants: waiter.count, in: state, now: now)
        return [
            .waitlistJoined(Waiter(userId: waiter.userId, count: waiter.count, sectionId: waiter.sectionId, offerTTL: waiter.offerTTL, joinedAt: now))
        ]
    }

    static func leave(_ userId: String, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard state.session != nil else { throw .notFound("session") }
        guard state.waitlist.contains(where: { $0.userId == userId }) else { throw .notFound("waiting list entry") }
        return [.waitlistLeft(WaitlistLeft(userId: userId, at: now))]
    }

    /// `events` followed by the offers they make possible: each waiter in order whose count fits what is
    /// free after them is offered that many places (the best seats together, else apart), held for them.
    static func withOffers(_ events: [SessionEvent], _ state: SessionState, now: Date) -> [SessionEvent] {
        guard !state.waitlist.isEmpty, !events.isEmpty else { return events }
        var after = state
        for event in events { evolve(&after, event) }
        var offers: [SessionEvent] = []
        for waiter in after.waitlist {
            guard let placed = offer(to: waiter, in: after, now: now) else { continue }
            let event = SessionEvent.seatsOffered(placed)
            evolve(&after, event)
            offers.append(event)
        }
        return events + offers
    }

    private static func offer(to waiter: Waiter, in state: SessionState, now: Date) -> BookingPlaced? {
        guard let session = state.session else { return nil }
        let id = Streams.offerId(session: session.sessionId, number: state.offersMade + 1)
        let deadline = now.addingTimeInterval(waiter.offerTTL)
        if let sectionId = waiter.sectionId {
            guard let section = state.gaSection(sectionId), state.remaining(in: sectionId) >= waiter.count else { return nil }
            return BookingPlaced(
                bookingId: id, userId: waiter.userId, seats: nil, sectionId: sectionId, qty: waiter.count,
                amount: section.price * Decimal(waiter.count), status: .held, holdExpiresAt: deadline, createdAt: now)
        }
        let seats =
            (try? BestAvailable.choose(waiter.count, section: nil, together: true, in: state, now: now))
            ?? (try? BestAvailable.choose(waiter.count, section: nil, together: false, in: state, now: now))
        guard let seats else { return nil }
        return BookingPlaced(
            bookingId: id, userId: waiter.userId, seats: seats, sectionId: nil, qty: nil,
            amount: seats.reduce(Decimal(0)) { $0 + (state.seats[$1]?.price ?? 0) }, status: .held, holdExpiresAt: deadline,
            createdAt: now)
    }
}

extension SessionState {
    /// A user's place in the waiting list (1 = next), nil when not waiting.
    public func waitingPosition(of userId: String) -> Int? {
        waitlist.firstIndex { $0.userId == userId }.map { $0 + 1 }
    }
}
