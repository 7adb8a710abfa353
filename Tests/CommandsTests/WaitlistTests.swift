import Commands
import Foundation
import Testing

/// Issue 17, item 2: waiting lists and offers, given events / when command / then events or error.
@Suite("Sessions: waiting lists and offers")
struct WaitlistTests {
    static let offerTTL: TimeInterval = 600

    static let row = SessionScheduled(
        sessionId: "s1", title: "Sold out", startsAt: nil, kind: .seated, hall: HallRef(id: "h1", name: "Hall"),
        seatSections: [SeatSection(id: "main", name: "Main", price: 10, rows: [SeatRow(row: "A", seats: 4)])], gaSections: [])

    func waits(_ user: String, _ count: Int, section: String? = nil, at: Date = t0) -> SessionEvent {
        .waitlistJoined(Waiter(userId: user, count: count, sectionId: section, offerTTL: Self.offerTTL, joinedAt: at))
    }

    func join(_ user: String, _ count: Int, section: String? = nil) -> SessionCommand {
        .joinWaitlist(Waiter(userId: user, count: count, sectionId: section, offerTTL: Self.offerTTL, joinedAt: .distantPast))
    }

    func offered(
        _ number: Int, to user: String, seats: [String]? = nil, qty: Int? = nil, section: String? = nil, amount: Decimal, at: Date = t0
    )
        -> SessionEvent
    {
        .seatsOffered(
            BookingPlaced(
                bookingId: "\(section == nil ? "s1" : "g1")-offer-\(number)", userId: user, seats: seats, sectionId: section, qty: qty,
                amount: amount, status: .held, holdExpiresAt: at.addingTimeInterval(Self.offerTTL), createdAt: at))
    }

    /// A4 row sold as two pairs.
    var soldOut: [SessionEvent] { [.scheduled(Self.row), seatsBooked("b1", ["A1", "A2"]), seatsBooked("b2", ["A3", "A4"], user: "u2")] }

    @Test func onlyASoldOutSessionHasAWaitingListAndEachBuyerIsOnItOnce() throws {
        let open = given([.scheduled(Self.row), seatsBooked("b1", ["A1", "A2"])])
        #expect(throws: DomainError.placesAvailable(2)) { try SessionDecider.decide(join("w1", 2), open, now: t0) }
        #expect(try SessionDecider.decide(join("w1", 3), open, now: t0) == [waits("w1", 3)], "two free are not enough for three")
        let full = given(soldOut)
        #expect(try SessionDecider.decide(join("w1", 2), full, now: t0) == [waits("w1", 2)])
        let waiting = given(soldOut + [waits("w1", 2)])
        #expect(throws: DomainError.alreadyExists("waiting list entry")) { try SessionDecider.decide(join("w1", 1), waiting, now: t0) }
        #expect(try SessionDecider.decide(.leaveWaitlist(userId: "w1"), waiting, now: t0) == [.waitlistLeft(WaitlistLeft(userId: "w1", at: t0))])
        #expect(throws: DomainError.notFound("waiting list entry")) { try SessionDecider.decide(.leaveWaitlist(userId: "w9"), waiting, now: t0) }
        #expect(throws: DomainError.invalid("count must be at least 1")) { try SessionDecider.decide(join("w2", 0), full, now: t0) }
        #expect(waiting.waitingPosition(of: "w1") == 1 && waiting.waitingPosition(of: "w9") == nil)
    }

    @Test func freedSeatsGoToTheFirstWaiterWhoseCountFitsInTheSameDecision() throws {
        let state = given(soldOut + [waits("w1", 3), waits("w2", 2), waits("w3", 2)])
        let events = try SessionDecider.decide(.cancel(bookingId: "b1", by: .user("u1")), state, now: t0)
        #expect(events == [.bookingCancelled(BookingChanged(bookingId: "b1", at: t0)), offered(1, to: "w2", seats: ["A1", "A2"], amount: 20)])
        let after = applying(events, to: state)
        #expect(after.waitlist.map(\.userId) == ["w1", "w3"] && after.bookings["s1-offer-1"]?.offered == true)
        // Nobody else can take offered seats.
        #expect(throws: DomainError.seatUnavailable(["A1"])) { try SessionDecider.decide(holdSeats("b9", ["A1"], user: "u9"), after, now: t0) }
        // The waiter accepts: a confirmation.
        let accepted = withoutTickets(try SessionDecider.decide(.confirm(bookingId: "s1-offer-1", by: .user("w2")), after, now: t0))
        #expect(accepted == [.bookingConfirmed(BookingChanged(bookingId: "s1-offer-1", at: t0))])
    }

    @Test func aLapsedOfferGoesToTheNextWaiter() throws {
        let state = given(soldOut + [waits("w1", 2), waits("w2", 2), .bookingCancelled(BookingChanged(bookingId: "b2", at: t0))])
        // The cancellation was recorded without offers here; an offer is made by the next freeing decision.
        let first = applying([offered(1, to: "w1", seats: ["A3", "A4"], amount: 20)], to: state)
        #expect(try SessionDecider.decide(.expire(bookingId: "s1-offer-1"), first, now: t0).isEmpty, "not due yet")
        let lapse = t0.addingTimeInterval(Self.offerTTL)
        let events = try SessionDecider.decide(.expire(bookingId: "s1-offer-1"), first, now: lapse)
        #expect(
            events == [
                .offerExpired(BookingChanged(bookingId: "s1-offer-1", at: lapse)), offered(2, to: "w2", seats: ["A3", "A4"], amount: 20, at: lapse),
            ])
        #expect(throws: DomainError.holdExpired) {
            try SessionDecider.decide(.confirm(bookingId: "s1-offer-1", by: .user("w1")), applying(events, to: first), now: lapse)
        }
    }

    @Test func whileAnyoneWaitsALapsedHoldIsNotTakenByANewBuyerButOfferedThroughItsExpiry() throws {
        let state = given([.scheduled(Self.row), seatsBooked("b1", ["A1", "A2", "A3"]), seatsHeld("b2", ["A4"]), waits("w1", 1)])
        let late = t0.addingTimeInterval(ttl)
        #expect(throws: DomainError.seatUnavailable(["A4"])) { try SessionDecider.decide(holdSeats("b3", ["A4"], user: "u9"), state, now: late) }
        let events = try SessionDecider.decide(.expire(bookingId: "b2"), state, now: late)
        #expect(events == [.holdExpired(BookingChanged(bookingId: "b2", at: late)), offered(1, to: "w1", seats: ["A4"], amount: 10, at: late)])
    }

    @Test func aReleasedBlockIsOfferedToo() throws {
        let blocked = SessionEvent.seatsBlocked(SeatsBlocked(blockId: "x1", seats: ["A3", "A4"], reason: "press", at: t0))
        let state = given([.scheduled(Self.row), seatsBooked("b1", ["A1", "A2"]), blocked, waits("w1", 2)])
        let events = try SessionDecider.decide(.releaseBlock(blockId: "x1"), state, now: t0)
        #expect(events.last == offered(1, to: "w1", seats: ["A3", "A4"], amount: 20))
    }

    @Test func aGASectionOffersTicketsWhenEnoughAreFree() throws {
        let event = SessionScheduled(
            sessionId: "g1", title: "Gig", startsAt: nil, kind: .general, hall: nil, seatSections: [],
            gaSections: [GASection(id: "floor", name: "Floor", price: 20, capacity: 4)])
        let state = given([.scheduled(event), qtyBooked("b1", 2), qtyBooked("b2", 1), qtyBooked("b3", 1)])
        #expect(try SessionDecider.decide(join("w1", 2), state, now: t0) == [waits("w1", 2, section: "floor")])
        let waiting = applying([waits("w1", 2, section: "floor")], to: state)
        let one = try SessionDecider.decide(.cancel(bookingId: "b2", by: .admin), waiting, now: t0)
        #expect(one.count == 1, "one ticket free does not fit a wish for two")
        let two = try SessionDecider.decide(.cancel(bookingId: "b3", by: .admin), applying(one, to: waiting), now: t0)
        #expect(two.last == offered(1, to: "w1", qty: 2, section: "floor", amount: 40))
    }

    @Test func waitingListEventsRoundTripThroughTheirEncoding() throws {
        for event in [
            waits("w1", 2, section: "floor"), .waitlistLeft(WaitlistLeft(userId: "w1", at: t0)), offered(1, to: "w1", seats: ["A1"], amount: 10),
            .offerExpired(BookingChanged(bookingId: "s1-offer-1", at: t0)),
        ] {
            #expect(try SessionEvent.decode(type: event.type.rawValue, data: event.encodedData()) == event)
        }
    }
}
