import Commands
import Foundation
import Testing

// Holds expire even when no worker runs: a reservation on a due hold's seat records the expiry first.
@Suite("Seated: due holds give way to new reservations")
struct HoldExpiryOnReserveTests {
    let scheduled = given([.scheduled(seatedSession)])
    let deadline = t0.addingTimeInterval(ttl)

    @Test(arguments: [0, 0.001, 3_600] as [TimeInterval])
    func expiresTheDueHoldBeforePlacing(_ late: TimeInterval) throws {
        let state = applying([seatsHeld("old", ["A1"], user: "u2")], to: scheduled)
        let now = deadline.addingTimeInterval(late)
        let events = try SessionDecider.decide(holdSeats("new", ["A1"]), state, now: now)

        #expect(events.count == 2)
        #expect(events.first == expired("old", at: now))
        #expect(placed(in: Array(events.dropFirst()))?.bookingId == "new")

        let after = applying(events, to: state)
        #expect(after.seatHolder["A1"] == "new")
        #expect(after.bookings["old"]?.status == .expired)
        #expect(after.openHolds.keys.sorted() == ["new"])
    }

    @Test func oneDueHoldCoveringTwoRequestedSeatsExpiresOnce() throws {
        let state = applying([seatsHeld("old", ["A1", "A2", "A3"], user: "u2")], to: scheduled)
        let events = try SessionDecider.decide(holdSeats("new", ["A1", "A2"]), state, now: deadline)
        #expect(events.count == 2)
        #expect(events[0] == expired("old", at: deadline))

        // Expiring the hold releases all its seats, including the one not asked for.
        let after = applying(events, to: state)
        #expect(after.seatHolder == ["A1": "new", "A2": "new"])
    }

    @Test func expiresEachDueHolderOnce() throws {
        let state = applying(
            [
                seatsHeld("x", ["A1"], user: "u2"), seatsHeld("y", ["B1", "B2"], user: "u3"),
            ], to: scheduled)
        let events = try SessionDecider.decide(holdSeats("new", ["B2", "A1", "B1"]), state, now: deadline)
        // Which due holder goes first does not matter; that both go before the placement does.
        #expect(events.count == 3)
        #expect(events.prefix(2).contains(expired("x", at: deadline)) && events.prefix(2).contains(expired("y", at: deadline)))
        #expect(placed(in: [events[2]])?.bookingId == "new")
    }

    // Expiries are only recorded alongside a placement that actually happens.
    @Test func aLiveSeatInTheRequestRefusesEverythingIncludingTheExpiry() {
        let state = applying(
            [
                seatsHeld("due", ["A1"], user: "u2"), seatsHeld("live", ["A2"], user: "u3", at: t0.addingTimeInterval(60)),
            ], to: scheduled)
        #expect(throws: DomainError.seatUnavailable(["A2"])) {
            try SessionDecider.decide(holdSeats("new", ["A1", "A2"]), state, now: deadline)
        }
    }

    // A confirmed booking has no deadline, no matter how much time passes.
    @Test func aConfirmedBookingNeverExpires() {
        let state = applying([seatsHeld("b1", ["A1"], user: "u2"), confirmed("b1")], to: scheduled)
        #expect(throws: DomainError.seatUnavailable(["A1"])) {
            try SessionDecider.decide(holdSeats("new", ["A1"]), state, now: deadline.addingTimeInterval(86_400))
        }
    }

    @Test func untouchedDueHoldsAreLeftToTheWorker() throws {
        let state = applying([seatsHeld("due", ["B4"], user: "u2")], to: scheduled)
        let events = try SessionDecider.decide(holdSeats("new", ["A1"]), state, now: deadline)
        #expect(events.count == 1)
    }
}
