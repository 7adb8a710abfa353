import Commands
import Foundation
import Testing

/// Issue 16, item 3: `HoldExtended`, given events / when command / then events or error.
@Suite("Seated: hold extension")
struct HoldExtensionTests {
    let rules = HoldExtensionRules(ttl: ttl, maxExtensions: 2, maxHold: 900)

    func extend(_ id: String = "b1", by actor: Actor = .user("u1"), rules: HoldExtensionRules? = nil) -> SessionCommand {
        .extend(bookingId: id, by: actor, rules: rules ?? self.rules)
    }

    @Test func aLiveHoldMovesByTheTTLAndStaysHeldThatLong() throws {
        let state = given([.scheduled(seatedSession), seatsHeld("b1", ["A1"])])
        let now = t0.addingTimeInterval(100)
        let events = try SessionDecider.decide(extend(), state, now: now)
        #expect(events == [.holdExtended(HoldExtended(bookingId: "b1", holdExpiresAt: t0.addingTimeInterval(2 * ttl), at: now))])
        let after = applying(events, to: state)
        #expect(after.openHolds["b1"] == t0.addingTimeInterval(2 * ttl))
        // Lazy expiry and the expiry worker's command both honour the new deadline.
        let pastOld = t0.addingTimeInterval(ttl + 1)
        #expect(try SessionDecider.decide(.expire(bookingId: "b1"), after, now: pastOld).isEmpty)
        #expect(throws: DomainError.seatUnavailable(["A1"])) { try SessionDecider.decide(holdSeats("b2", ["A1"], user: "u2"), after, now: pastOld) }
        #expect(withoutTickets(try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), after, now: pastOld)).count == 1)
        let pastNew = t0.addingTimeInterval(2 * ttl + 1)
        #expect(
            try SessionDecider.decide(.expire(bookingId: "b1"), after, now: pastNew) == [.holdExpired(BookingChanged(bookingId: "b1", at: pastNew))])
    }

    @Test func extensionsAreCountedAndCappedAtTheLongestHold() throws {
        var state = given([.scheduled(seatedSession), seatsHeld("b1", ["A1"])])
        state = applying(try SessionDecider.decide(extend(), state, now: t0), to: state)
        state = applying(try SessionDecider.decide(extend(), state, now: t0), to: state)
        #expect(throws: DomainError.holdNotExtendable("a hold may be extended 2 time(s)")) { try SessionDecider.decide(extend(), state, now: t0) }
        // Capped: 300 s after placement plus one extension of 300 would be 600; the cap is 400.
        let capped = HoldExtensionRules(ttl: ttl, maxExtensions: 5, maxHold: 400)
        let fresh = given([.scheduled(seatedSession), seatsHeld("b1", ["A1"])])
        let once = try SessionDecider.decide(extend(rules: capped), fresh, now: t0)
        #expect(once == [.holdExtended(HoldExtended(bookingId: "b1", holdExpiresAt: t0.addingTimeInterval(400), at: t0))])
        #expect(throws: DomainError.holdNotExtendable("a hold lasts at most 400 seconds from when it was placed")) {
            try SessionDecider.decide(extend(rules: capped), applying(once, to: fresh), now: t0)
        }
    }

    @Test func onlyTheHolderOrTheAdminAndOnlyALiveHold() throws {
        let state = given([.scheduled(seatedSession), seatsHeld("b1", ["A1"]), seatsBooked("b2", ["A2"])])
        #expect(throws: DomainError.forbidden) { try SessionDecider.decide(extend(by: .user("u2")), state, now: t0) }
        #expect(throws: DomainError.forbidden) { try SessionDecider.decide(extend(by: .guest), state, now: t0) }
        #expect(try SessionDecider.decide(extend(by: .admin), state, now: t0).count == 1)
        #expect(throws: DomainError.holdNotExtendable("the booking is confirmed: there is no hold to extend")) {
            try SessionDecider.decide(extend("b2"), state, now: t0)
        }
        #expect(throws: DomainError.holdExpired) { try SessionDecider.decide(extend(), state, now: t0.addingTimeInterval(ttl)) }
        #expect(throws: DomainError.notFound("booking")) { try SessionDecider.decide(extend("nope"), state, now: t0) }
        let cancelled = applying([.bookingCancelled(BookingChanged(bookingId: "b1", at: t0))], to: state)
        #expect(throws: DomainError.bookingCancelled) { try SessionDecider.decide(extend(), cancelled, now: t0) }
    }
}
