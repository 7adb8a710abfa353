import Commands
import Foundation
import Testing

@Suite("Bookings: confirm")
struct ConfirmTests {
    let deadline = t0.addingTimeInterval(ttl)
    let held = given([.scheduled(seatedSession), seatsHeld("b1", ["A1"])])
    let now = t0.addingTimeInterval(30)

    @Test func confirmsAHold() throws {
        let events = withoutTickets(try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), held, now: now))
        #expect(events == [confirmed("b1", at: now)])

        let state = applying(events, to: held)
        #expect(state.bookings["b1"]?.status == .confirmed)
        #expect(state.seatHolder["A1"] == "b1")
        #expect(state.openHolds.isEmpty)
    }

    // Clients retry; a second confirm must answer the same without recording anything.
    @Test func confirmingAgainRecordsNothing() throws {
        let state = applying([confirmed("b1")], to: held)
        #expect(try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), state, now: now).isEmpty)
        // Even after the old deadline: a confirmed booking has none.
        #expect(try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), state, now: deadline).isEmpty)
    }

    @Test func aCancelledBookingCannotBeConfirmed() {
        #expect(throws: DomainError.bookingCancelled) {
            try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), applying([cancelled("b1")], to: held), now: now)
        }
    }

    @Test func anExpiredHoldCannotBeConfirmed() {
        #expect(throws: DomainError.holdExpired) {
            try SessionDecider.decide(
                .confirm(bookingId: "b1", by: .user("u1")), applying([expired("b1", at: deadline)], to: held), now: deadline)
        }
    }

    // The worker may not have run yet; the deadline alone decides.
    @Test(arguments: [0, 1] as [TimeInterval])
    func aHoldPastItsDeadlineCannotBeConfirmed(_ late: TimeInterval) {
        #expect(throws: DomainError.holdExpired) {
            try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), held, now: deadline.addingTimeInterval(late))
        }
    }

    @Test func aHoldJustBeforeItsDeadlineCanBeConfirmed() throws {
        let justBefore = deadline.addingTimeInterval(-0.001)
        #expect(
            withoutTickets(try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1")), held, now: justBefore)) == [
                confirmed("b1", at: justBefore)
            ])
    }

    @Test func unknownBookingIsNotFound() {
        #expect(throws: DomainError.notFound("booking")) {
            try SessionDecider.decide(.confirm(bookingId: "nope", by: .admin), held, now: now)
        }
    }

    @Test func anotherUserIsForbidden() {
        #expect(throws: DomainError.forbidden) {
            try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u2")), held, now: now)
        }
    }

    @Test func adminMayConfirmAnyonesHold() throws {
        #expect(withoutTickets(try SessionDecider.decide(.confirm(bookingId: "b1", by: .admin), held, now: now)) == [confirmed("b1", at: now)])
    }
}

@Suite("Bookings: cancel")
struct CancelTests {
    let deadline = t0.addingTimeInterval(ttl)
    let now = t0.addingTimeInterval(30)
    let seatsState = given([.scheduled(seatedSession), seatsHeld("held", ["A1", "A2"]), seatsBooked("booked", ["B1"])])
    let gaState = given([.scheduled(gaSession), qtyHeld("held", 4), qtyBooked("booked", 3)])

    @Test(arguments: ["held", "booked"])
    func cancelsAndReleasesSeats(_ bookingId: String) throws {
        let events = try SessionDecider.decide(.cancel(bookingId: bookingId, by: .user("u1")), seatsState, now: now)
        #expect(events == [cancelled(bookingId, at: now)])

        let state = applying(events, to: seatsState)
        #expect(state.bookings[bookingId]?.status == .cancelled)
        #expect(!state.seatHolder.values.contains(bookingId))
        #expect(state.openHolds["held"] == (bookingId == "held" ? nil : deadline))
    }

    @Test(arguments: [("held", 7), ("booked", 6)])
    func cancelsAndReleasesQuantity(_ bookingId: String, remaining: Int) throws {
        let events = try SessionDecider.decide(.cancel(bookingId: bookingId, by: .user("u1")), gaState, now: now)
        #expect(events == [cancelled(bookingId, at: now)])
        #expect(applying(events, to: gaState).remaining(in: "floor") == remaining)
    }

    @Test func cancellingAgainRecordsNothing() throws {
        let state = applying([cancelled("booked")], to: seatsState)
        #expect(try SessionDecider.decide(.cancel(bookingId: "booked", by: .user("u1")), state, now: now).isEmpty)
    }

    @Test func anExpiredHoldCannotBeCancelled() {
        let state = applying([expired("held", at: deadline)], to: seatsState)
        #expect(throws: DomainError.holdExpired) {
            try SessionDecider.decide(.cancel(bookingId: "held", by: .user("u1")), state, now: deadline)
        }
    }

    @Test func aHoldPastItsDeadlineCannotBeCancelled() {
        #expect(throws: DomainError.holdExpired) {
            try SessionDecider.decide(.cancel(bookingId: "held", by: .user("u1")), seatsState, now: deadline)
        }
    }

    @Test func anotherUserIsForbidden() {
        #expect(throws: DomainError.forbidden) {
            try SessionDecider.decide(.cancel(bookingId: "booked", by: .user("u2")), seatsState, now: now)
        }
    }

    @Test func unknownBookingIsNotFound() {
        #expect(throws: DomainError.notFound("booking")) {
            try SessionDecider.decide(.cancel(bookingId: "nope", by: .user("u1")), seatsState, now: now)
        }
    }

    @Test func adminMayCancelAnyonesBooking() throws {
        #expect(try SessionDecider.decide(.cancel(bookingId: "booked", by: .admin), seatsState, now: now) == [cancelled("booked", at: now)])
    }
}

// The expiry worker may run late, twice, or race a confirm; only a due hold yields an event.
@Suite("Bookings: expire")
struct ExpireTests {
    let deadline = t0.addingTimeInterval(ttl)
    let state = given([
        .scheduled(gaSession), qtyHeld("held", 4), qtyBooked("booked", 1),
        qtyHeld("gone", 1), cancelled("gone"), qtyHeld("done", 1), expired("done", at: t0.addingTimeInterval(ttl)),
    ])

    @Test(arguments: [0, 60] as [TimeInterval])
    func expiresADueHold(_ late: TimeInterval) throws {
        let now = deadline.addingTimeInterval(late)
        let events = try SessionDecider.decide(.expire(bookingId: "held"), state, now: now)
        #expect(events == [expired("held", at: now)])

        let after = applying(events, to: state)
        #expect(after.bookings["held"]?.status == .expired)
        #expect(after.remaining(in: "floor") == 9)
        #expect(after.openHolds.isEmpty)
    }

    @Test func aHoldNotYetDueIsLeftAlone() throws {
        #expect(try SessionDecider.decide(.expire(bookingId: "held"), state, now: deadline.addingTimeInterval(-0.001)).isEmpty)
    }

    @Test(arguments: ["booked", "gone", "done", "unknown"])
    func anythingElseIsANoOp(_ bookingId: String) throws {
        #expect(try SessionDecider.decide(.expire(bookingId: bookingId), state, now: deadline.addingTimeInterval(3_600)).isEmpty)
    }

    @Test func expiringOnAnUnscheduledSessionIsANoOp() throws {
        #expect(try SessionDecider.decide(.expire(bookingId: "held"), SessionState(), now: deadline).isEmpty)
    }
}
