import Commands
import Foundation
import Testing

@Suite("Seated: hold seats")
struct SeatHoldTests {
    let scheduled = given([.scheduled(seatedSession)])

    @Test func holdsSeatsUntilNowPlusTTLAtTheSumOfTheirPrices() throws {
        let events = try SessionDecider.decide(holdSeats("b1", ["A1", "C1"]), scheduled, now: t0)
        #expect(
            events == [
                .bookingPlaced(
                    BookingPlaced(
                        bookingId: "b1", userId: "u1", seats: ["A1", "C1"], sectionId: nil, qty: nil,
                        amount: 22.5, status: .held, holdExpiresAt: t0.addingTimeInterval(ttl), createdAt: t0))
            ])

        let state = applying(events, to: scheduled)
        #expect(state.seatHolder == ["A1": "b1", "C1": "b1"])
        #expect(state.openHolds == ["b1": t0.addingTimeInterval(ttl)])
    }

    @Test func confirmsAtOnceWithoutADeadline() throws {
        let events = try SessionDecider.decide(holdSeats("b1", ["B2"], confirm: true), scheduled, now: t0)
        let booking = try #require(placed(in: events))
        #expect(booking.status == .confirmed)
        #expect(booking.holdExpiresAt == nil)
        #expect(booking.amount == 10)
        // Nothing for the expiry worker to look at.
        #expect(applying(events, to: scheduled).openHolds.isEmpty)
    }

    @Test func outcomeShowsTheBookingAndNothingElse() throws {
        let command = holdSeats("b1", ["A1"])
        let state = applying(try SessionDecider.decide(command, scheduled, now: t0), to: scheduled)
        let outcome = SessionDecider.outcome(of: command, in: state)
        #expect(outcome.booking?.id == "b1" && outcome.booking?.status == .held)
        #expect(outcome.session == nil, "not the hall: the outcome is stored with every keyed command")
        #expect(outcome.remaining == nil)
        #expect(SessionDecider.outcome(of: .schedule(seatedSession), in: scheduled).session == seatedSession)
    }

    @Test func unknownSessionIsNotFound() {
        #expect(throws: DomainError.notFound("session")) {
            try SessionDecider.decide(holdSeats("b1", ["A1"]), SessionState(), now: t0)
        }
    }

    @Test func aGASessionHasNoSeats() {
        #expect(refusal(holdSeats("b1", ["A1"]), given([.scheduled(gaSession)]))?.isInvalid == true)
    }

    @Test func refusesAnEmptySeatList() {
        #expect(throws: DomainError.invalid("seats must not be empty")) {
            try SessionDecider.decide(holdSeats("b1", []), scheduled, now: t0)
        }
    }

    @Test func refusesRepeatedSeats() {
        #expect(throws: DomainError.invalid("seats must not repeat")) {
            try SessionDecider.decide(holdSeats("b1", ["A1", "A2", "A1"]), scheduled, now: t0)
        }
    }

    @Test func refusesUnknownSeatsNamingThem() {
        #expect(throws: DomainError.invalid("unknown seats: A9, Z1")) {
            try SessionDecider.decide(holdSeats("b1", ["A1", "A9", "Z1"]), scheduled, now: t0)
        }
    }

    // Booking ids are generated, so a repeat can only be a replayed command.
    @Test func refusesAnExistingBookingId() {
        let state = applying([seatsHeld("b1", ["A1"])], to: scheduled)
        #expect(throws: DomainError.alreadyExists("booking")) {
            try SessionDecider.decide(holdSeats("b1", ["A2"]), state, now: t0)
        }
    }

    @Test func listsExactlyTheSeatsTakenByHoldsAndBookings() {
        let state = applying([seatsHeld("b1", ["A1", "A2"], user: "u2"), seatsBooked("b2", ["B1"], user: "u3")], to: scheduled)
        #expect(throws: DomainError.seatUnavailable(["A2", "B1"])) {
            try SessionDecider.decide(holdSeats("b3", ["A2", "A3", "B1"]), state, now: t0.addingTimeInterval(10))
        }
    }

    // The holder's own seats are no exception: a second booking must not double-book them.
    @Test func aUserCannotHoldTheirOwnHeldSeatsTwice() {
        let state = applying([seatsHeld("b1", ["A1"])], to: scheduled)
        #expect(throws: DomainError.seatUnavailable(["A1"])) {
            try SessionDecider.decide(holdSeats("b2", ["A1"]), state, now: t0)
        }
    }

    @Test func aHoldOneInstantBeforeItsDeadlineStillBlocks() {
        let state = applying([seatsHeld("b1", ["A1"])], to: scheduled)
        #expect(throws: DomainError.seatUnavailable(["A1"])) {
            try SessionDecider.decide(holdSeats("b2", ["A1"]), state, now: t0.addingTimeInterval(ttl - 0.001))
        }
    }

    @Test func seatsReleasedByCancelAreAvailableAgain() throws {
        let state = applying([seatsBooked("b1", ["A1"]), cancelled("b1")], to: scheduled)
        let events = try SessionDecider.decide(holdSeats("b2", ["A1"], user: "u2"), state, now: t0)
        #expect(events.count == 1 && placed(in: events)?.seats == ["A1"])
    }

    @Test func seatsReleasedByExpiryAreAvailableAgain() throws {
        let state = applying([seatsHeld("b1", ["A1"]), expired("b1", at: t0.addingTimeInterval(ttl))], to: scheduled)
        let events = try SessionDecider.decide(holdSeats("b2", ["A1"], user: "u2"), state, now: t0.addingTimeInterval(ttl + 1))
        // Already expired by an event, so nothing more to record about b1.
        #expect(events.count == 1 && placed(in: events)?.bookingId == "b2")
    }
}
