import Commands
import Foundation
import Testing

@Suite("General admission: book a quantity")
struct QuantityBookingTests {
    let scheduled = given([.scheduled(gaSession)])
    let deadline = t0.addingTimeInterval(ttl)

    @Test func confirmsAtOnceByDefault() throws {
        let events = withoutTickets(try SessionDecider.decide(bookQty("b1", 3), scheduled, now: t0))
        #expect(
            events == [
                .bookingPlaced(
                    BookingPlaced(
                        bookingId: "b1", userId: "u1", seats: nil, sectionId: "floor", qty: 3, amount: 60,
                        status: .confirmed, holdExpiresAt: nil, createdAt: t0))
            ])
    }

    @Test func holdsWhenAsked() throws {
        let events = try SessionDecider.decide(bookQty("b1", 2, in: "vip", hold: true), scheduled, now: t0)
        let booking = try #require(placed(in: events))
        #expect(booking.status == .held)
        #expect(booking.holdExpiresAt == deadline)
        #expect(booking.amount == 100)
        #expect(applying(events, to: scheduled).openHolds == ["b1": deadline])
    }

    @Test func outcomeReportsTheSectionsNewRemaining() throws {
        let command = bookQty("b1", 4, hold: true)
        let state = applying(try SessionDecider.decide(command, scheduled, now: t0), to: scheduled)
        let outcome = SessionDecider.outcome(of: command, in: state)
        #expect(outcome.remaining == 6)
        #expect(outcome.booking?.qty == 4)
        #expect(state.remaining(in: "vip") == 3)
    }

    @Test func theOnlySectionNeedsNoId() throws {
        let events = try SessionDecider.decide(bookQty("b1", 1, in: nil), given([.scheduled(gaOneSection)]), now: t0)
        #expect(placed(in: events)?.sectionId == "floor")
    }

    @Test func severalSectionsNeedAnId() {
        #expect(throws: DomainError.invalid("sectionId is required: this event has several sections")) {
            try SessionDecider.decide(bookQty("b1", 1, in: nil), scheduled, now: t0)
        }
    }

    @Test func unknownSectionIsNotFound() {
        #expect(throws: DomainError.notFound("section")) {
            try SessionDecider.decide(bookQty("b1", 1, in: "balcony"), scheduled, now: t0)
        }
    }

    @Test(arguments: [0, -1])
    func refusesAQuantityBelowOne(_ qty: Int) {
        #expect(throws: DomainError.invalid("qty must be at least 1")) {
            try SessionDecider.decide(bookQty("b1", qty), scheduled, now: t0)
        }
    }

    @Test func unknownSessionIsNotFound() {
        #expect(throws: DomainError.notFound("session")) {
            try SessionDecider.decide(bookQty("b1", 1), SessionState(), now: t0)
        }
    }

    @Test func aSeatedSessionIsBookedBySeat() {
        #expect(refusal(bookQty("b1", 1), given([.scheduled(seatedSession)]))?.isInvalid == true)
    }

    @Test func refusesAnExistingBookingId() {
        let state = applying([qtyBooked("b1", 1)], to: scheduled)
        #expect(throws: DomainError.alreadyExists("booking")) {
            try SessionDecider.decide(bookQty("b1", 1), state, now: t0)
        }
    }

    @Test func refusesMoreThanRemainsAndSaysHowManyDo() {
        // 4 confirmed + 3 held (live) + 1 cancelled (released): 3 remain.
        let state = applying(
            [
                qtyBooked("a", 4), qtyHeld("b", 3, user: "u2"), qtyBooked("c", 1), cancelled("c"), qtyBooked("v", 3, in: "vip"),
            ], to: scheduled)
        #expect(throws: DomainError.insufficientCapacity(remaining: 3)) {
            try SessionDecider.decide(bookQty("d", 4), state, now: t0.addingTimeInterval(1))
        }
        #expect(throws: DomainError.insufficientCapacity(remaining: 0)) {
            try SessionDecider.decide(bookQty("d", 1, in: "vip"), state, now: t0.addingTimeInterval(1))
        }
    }

    @Test func takesExactlyWhatRemains() throws {
        let state = applying([qtyBooked("a", 7)], to: scheduled)
        let events = try SessionDecider.decide(bookQty("b", 3), state, now: t0)
        #expect(applying(events, to: state).remaining(in: "floor") == 0)
    }

    @Test func expiresDueHoldsInTheSectionToMakeRoom() throws {
        let state = applying(
            [
                qtyBooked("a", 5), qtyHeld("h1", 3, user: "u2"), qtyHeld("h2", 2, user: "u3"),
                qtyHeld("other", 2, in: "vip", user: "u4"),
            ], to: scheduled)
        let events = withoutTickets(try SessionDecider.decide(bookQty("b", 4), state, now: deadline))

        // Both due floor holds go first; the due VIP hold is none of this booking's business.
        #expect(events.count == 3)
        #expect(events.prefix(2).contains(expired("h1", at: deadline)) && events.prefix(2).contains(expired("h2", at: deadline)))
        #expect(placed(in: [events[2]])?.bookingId == "b")

        let after = applying(events, to: state)
        #expect(after.remaining(in: "floor") == 1)
        #expect(after.bookings["other"]?.status == .held)
        #expect(after.gaTaken["vip"] == 2)
    }

    @Test func leavesDueHoldsAloneWhenThereIsRoom() throws {
        let state = applying([qtyHeld("h1", 3, user: "u2")], to: scheduled)
        let events = withoutTickets(try SessionDecider.decide(bookQty("b", 2), state, now: deadline))
        #expect(events.count == 1)
    }

    @Test func liveHoldsAreNotExpired() {
        let state = applying([qtyBooked("a", 5), qtyHeld("h1", 5, user: "u2")], to: scheduled)
        #expect(throws: DomainError.insufficientCapacity(remaining: 0)) {
            try SessionDecider.decide(bookQty("b", 1), state, now: deadline.addingTimeInterval(-0.001))
        }
    }

    // The remaining reported counts what the due holds would free, since that is what a retry could get.
    @Test func reportsRemainingIncludingReleasableHoldsWhenStillShort() {
        let state = applying([qtyBooked("a", 6), qtyHeld("h1", 2, user: "u2")], to: scheduled)
        #expect(throws: DomainError.insufficientCapacity(remaining: 4)) {
            try SessionDecider.decide(bookQty("b", 5), state, now: deadline)
        }
    }

    @Test func heldPlusBookedNeverExceedsCapacity() throws {
        var state = scheduled
        var accepted = 0
        for (index, qty) in [3, 4, 2, 5, 1, 1, 9].enumerated() {
            let command = bookQty("b\(index)", qty, hold: index.isMultiple(of: 2))
            guard let events = try? SessionDecider.decide(command, state, now: t0) else { continue }
            state = applying(events, to: state)
            accepted += qty
            #expect(state.gaTaken["floor", default: 0] <= floorSection.capacity)
        }
        #expect(accepted == 10)
        #expect(state.remaining(in: "floor") == 0)
    }
}
