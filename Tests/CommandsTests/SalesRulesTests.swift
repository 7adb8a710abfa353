import Commands
import Foundation
import Testing

/// Issue 16, item 5: per-buyer caps and sales windows, given events / when command / then.
@Suite("Sessions: caps and sales windows")
struct SalesRulesTests {
    func session(cap: Int? = nil, open: Date? = nil, close: Date? = nil) -> SessionScheduled {
        var session = seatedSession
        session.sales = SalesSettings(maxSeatsPerUser: cap, salesOpenAt: open, salesCloseAt: close)
        return session
    }

    @Test func theCapCountsEveryLiveBookingOfTheUserInTheSession() throws {
        let state = given([.scheduled(session(cap: 3)), seatsHeld("b1", ["A1"]), seatsBooked("b2", ["A2"]), seatsBooked("b3", ["A3"], user: "u2")])
        #expect(throws: DomainError.seatLimitReached(limit: 3, held: 2)) { try SessionDecider.decide(holdSeats("b4", ["B1", "B2"]), state, now: t0) }
        #expect(try SessionDecider.decide(holdSeats("b4", ["B1"]), state, now: t0).count == 1)
        #expect(try SessionDecider.decide(holdSeats("b4", ["B1", "B2"], user: "u2"), state, now: t0).count == 1, "u2 has one of three")
        // A cancelled booking and a hold past its deadline hold nothing.
        let released = applying([.bookingCancelled(BookingChanged(bookingId: "b2", at: t0))], to: state)
        #expect(try SessionDecider.decide(holdSeats("b4", ["B1", "B2"]), released, now: t0.addingTimeInterval(ttl)).count >= 1)
        // Best available counts the same.
        let best = SessionCommand.reserveBest(
            ReserveBest(bookingId: "b5", userId: "u1", count: 2, section: nil, together: true, confirm: false, holdTTL: ttl))
        #expect(throws: DomainError.seatLimitReached(limit: 3, held: 2)) { try SessionDecider.decide(best, state, now: t0) }
    }

    @Test func aGASessionCapsTickets() throws {
        var ga = gaSession
        ga.sales = SalesSettings(maxSeatsPerUser: 4, salesOpenAt: nil, salesCloseAt: nil)
        let state = given([.scheduled(ga), qtyHeld("b1", 3)])
        #expect(throws: DomainError.seatLimitReached(limit: 4, held: 3)) { try SessionDecider.decide(bookQty("b2", 2), state, now: t0) }
        #expect(withoutTickets(try SessionDecider.decide(bookQty("b2", 1), state, now: t0)).count == 1)
    }

    @Test func bookingsOnlyInsideTheWindow() throws {
        let open = t0.addingTimeInterval(60)
        let close = t0.addingTimeInterval(120)
        let state = given([.scheduled(session(open: open, close: close))])
        #expect(throws: DomainError.salesClosed(opensAt: open, closesAt: close)) {
            try SessionDecider.decide(holdSeats("b1", ["A1"]), state, now: t0)
        }
        #expect(try SessionDecider.decide(holdSeats("b1", ["A1"]), state, now: open).count == 1)
        #expect(throws: DomainError.salesClosed(opensAt: open, closesAt: close)) {
            try SessionDecider.decide(holdSeats("b1", ["A1"]), state, now: close)
        }
        // Confirming a hold made inside the window is still possible after it closes.
        let held = applying(try SessionDecider.decide(holdSeats("b1", ["A1"]), state, now: open), to: state)
        #expect(withoutTickets(try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), held, now: close)).count == 1)
    }

    @Test func theAdminChangesBothLaterAndBadSettingsAreRefused() throws {
        let state = given([.scheduled(session())])
        let sales = SalesSettings(maxSeatsPerUser: 2, salesOpenAt: nil, salesCloseAt: t0)
        let events = try SessionDecider.decide(.changeSales(sales), state, now: t0)
        #expect(events == [.salesChanged(sales)])
        let changed = applying(events, to: state)
        #expect(changed.session?.maxSeatsPerUser == 2 && changed.session?.salesCloseAt == t0)
        #expect(try SessionDecider.decide(.changeSales(sales), changed, now: t0).isEmpty, "the same settings again: no event")
        #expect(throws: DomainError.salesClosed(opensAt: nil, closesAt: t0)) { try SessionDecider.decide(holdSeats("b1", ["A1"]), changed, now: t0) }
        #expect(throws: DomainError.invalid("maxSeatsPerUser must be 1 to 10000")) {
            try SessionDecider.decide(.changeSales(SalesSettings(maxSeatsPerUser: 0, salesOpenAt: nil, salesCloseAt: nil)), state, now: t0)
        }
        #expect(throws: DomainError.invalid("salesOpenAt must be before salesCloseAt")) {
            try SessionDecider.decide(.changeSales(SalesSettings(maxSeatsPerUser: nil, salesOpenAt: t0, salesCloseAt: t0)), state, now: t0)
        }
        #expect(throws: DomainError.notFound("session")) { try SessionDecider.decide(.changeSales(sales), SessionState(), now: t0) }
    }
}
