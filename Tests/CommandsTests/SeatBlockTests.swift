import Commands
import Foundation
import Testing

/// Issue 16, item 4: house seats and blocks, given events / when command / then events or error.
@Suite("Sessions: house seats and blocks")
struct SeatBlockTests {
    func blocked(_ blockId: String, _ seats: [String], reason: String = "press", at: Date = t0) -> SessionEvent {
        .seatsBlocked(SeatsBlocked(blockId: blockId, seats: seats, reason: reason, at: at))
    }

    func fromBlock(_ blockId: String, _ bookingId: String, seats: [String]? = nil, user: String = "u9", confirm: Bool = true) -> SessionCommand {
        .bookFromBlock(BookFromBlock(blockId: blockId, bookingId: bookingId, userId: user, seats: seats, confirm: confirm, holdTTL: ttl))
    }

    @Test func theAdminBlocksFreeSeatsAndNobodyElseCanTakeThem() throws {
        let state = given([.scheduled(seatedSession)])
        let events = try SessionDecider.decide(.blockSeats(blockId: "x1", seats: ["A2", "A3"], reason: "press"), state, now: t0)
        #expect(events == [blocked("x1", ["A2", "A3"])])
        let after = applying(events, to: state)
        #expect(after.seatBlock == ["A2": "x1", "A3": "x1"])
        #expect(throws: DomainError.seatUnavailable(["A3"])) { try SessionDecider.decide(holdSeats("b1", ["A3", "A4"]), after, now: t0) }
        // Not even the admin through the ordinary reservation: only from the block.
        let forUser = SessionCommand.holdSeats(HoldSeats(bookingId: "b1", userId: "u1", seats: ["A2"], confirm: true, holdTTL: ttl))
        #expect(throws: DomainError.seatUnavailable(["A2"])) { try SessionDecider.decide(forUser, after, now: t0) }
        #expect(throws: DomainError.seatUnavailable(["A2"])) {
            try SessionDecider.decide(.blockSeats(blockId: "x2", seats: ["A2"], reason: "again"), after, now: t0)
        }
    }

    @Test func bestAvailableAndTheLoneSeatCountLeaveBlockedSeatsOut() throws {
        // Row A: A1 free, A2 A3 blocked, A4 free. No pair fits in A any more.
        let state = given([.scheduled(seatedSession), blocked("x1", ["A2", "A3"])])
        let best = SessionCommand.reserveBest(
            ReserveBest(bookingId: "b1", userId: "u1", count: 2, section: "stalls", together: true, confirm: false, holdTTL: ttl))
        let events = try SessionDecider.decide(best, state, now: t0)
        guard case .bookingPlaced(let placed) = events.last else {
            Issue.record("no placement: \(events)")
            return
        }
        #expect(placed.seats?.allSatisfy { $0.hasPrefix("B") } == true, "\(placed.seats ?? [])")
        #expect(state.loneFreeSeats(at: t0) == 2, "A1 and A4 sit between a row end and a blocked seat")
    }

    @Test func seatsTakenOrBlockedCannotBeBlockedButADueHoldExpiresFirst() throws {
        let state = given([.scheduled(seatedSession), seatsHeld("b1", ["A1"]), seatsBooked("b2", ["A2"])])
        #expect(throws: DomainError.seatUnavailable(["A1", "A2"])) {
            try SessionDecider.decide(.blockSeats(blockId: "x1", seats: ["A1", "A2", "A3"], reason: "press"), state, now: t0)
        }
        let later = t0.addingTimeInterval(ttl)
        let events = try SessionDecider.decide(.blockSeats(blockId: "x1", seats: ["A1", "A3"], reason: "press"), state, now: later)
        #expect(events == [.holdExpired(BookingChanged(bookingId: "b1", at: later)), blocked("x1", ["A1", "A3"], at: later)])
    }

    @Test func badBlocksAreRefused() throws {
        let state = given([.scheduled(seatedSession), blocked("x1", ["A1"])])
        let cases: [(SessionCommand, DomainError)] = [
            (.blockSeats(blockId: "x2", seats: [], reason: "press"), .invalid("seats must not be empty")),
            (.blockSeats(blockId: "x2", seats: ["B1", "B1"], reason: "press"), .invalid("seats must not repeat")),
            (.blockSeats(blockId: "x2", seats: ["Z9"], reason: "press"), .invalid("unknown seats: Z9")),
            (.blockSeats(blockId: "x2", seats: ["B1"], reason: " "), .invalid("reason must not be empty")),
            (.blockSeats(blockId: "x1", seats: ["B1"], reason: "press"), .alreadyExists("block")),
            (.releaseBlock(blockId: "nope"), .notFound("block")),
            (fromBlock("nope", "b1"), .notFound("block")),
        ]
        for (command, error) in cases {
            #expect(throws: error) { try SessionDecider.decide(command, state, now: t0) }
        }
        #expect(throws: DomainError.invalid("only a seated session has seats to block")) {
            try SessionDecider.decide(.blockSeats(blockId: "x1", seats: ["A1"], reason: "press"), given([.scheduled(gaSession)]), now: t0)
        }
        #expect(throws: DomainError.notFound("session")) {
            try SessionDecider.decide(.blockSeats(blockId: "x1", seats: ["A1"], reason: "press"), given([SessionEvent]()), now: t0)
        }
    }

    @Test func releasingPutsTheSeatsOnSaleOnce() throws {
        let state = given([.scheduled(seatedSession), blocked("x1", ["A1", "A2"])])
        let events = try SessionDecider.decide(.releaseBlock(blockId: "x1"), state, now: t0)
        #expect(events == [.seatsReleased(SeatsReleased(blockId: "x1", seats: ["A1", "A2"], at: t0))])
        let released = applying(events, to: state)
        #expect(released.seatBlock.isEmpty && released.blocks["x1"]?.releasedAt == t0)
        #expect(try SessionDecider.decide(.releaseBlock(blockId: "x1"), released, now: t0).isEmpty, "a second release changes nothing")
        #expect(try SessionDecider.decide(holdSeats("b1", ["A1", "A2"]), released, now: t0).count == 1)
        #expect(throws: DomainError.blockEmpty("x1")) { try SessionDecider.decide(fromBlock("x1", "b2"), released, now: t0) }
    }

    @Test func theAdminBooksFromABlockForAUserPastCapAndWindow() throws {
        var session = seatedSession
        session.sales = SalesSettings(maxSeatsPerUser: 1, salesOpenAt: nil, salesCloseAt: t0)
        let state = given([.scheduled(session), blocked("x1", ["A1", "A2", "A3"])])
        let events = withoutTickets(try SessionDecider.decide(fromBlock("x1", "b1", seats: ["A1", "A2"]), state, now: t0))
        #expect(
            events == [
                .bookingPlaced(
                    BookingPlaced(
                        bookingId: "b1", userId: "u9", seats: ["A1", "A2"], sectionId: nil, qty: nil, amount: 20, status: .confirmed,
                        holdExpiresAt: nil, createdAt: t0, blockId: "x1"))
            ])
        let booked = applying(events, to: state)
        #expect(booked.blocks["x1"]?.seats == ["A3"] && booked.seatBlock == ["A3": "x1"] && booked.seatHolder["A1"] == "b1")
        #expect(throws: DomainError.seatUnavailable(["A1"])) { try SessionDecider.decide(fromBlock("x1", "b2", seats: ["A1"]), booked, now: t0) }
        #expect(throws: DomainError.seatUnavailable(["B1"])) { try SessionDecider.decide(fromBlock("x1", "b2", seats: ["B1"]), booked, now: t0) }
        // The rest of the block, held this time; when that hold lapses its seat goes on sale, not back to the block.
        let rest = try SessionDecider.decide(fromBlock("x1", "b2", confirm: false), booked, now: t0)
        let held = applying(rest, to: booked)
        #expect(held.blocks["x1"]?.isActive == false && held.bookings["b2"]?.seats == ["A3"] && held.bookings["b2"]?.status == .held)
        let lapsed = applying(try SessionDecider.decide(.expire(bookingId: "b2"), held, now: t0.addingTimeInterval(ttl)), to: held)
        #expect(lapsed.seatHolder["A3"] == nil && lapsed.seatBlock["A3"] == nil)
        #expect(throws: DomainError.blockEmpty("x1")) { try SessionDecider.decide(fromBlock("x1", "b3"), held, now: t0) }
    }

    @Test func blockEventsRoundTripThroughTheirEncoding() throws {
        let events: [SessionEvent] = [
            blocked("x1", ["A1"], reason: "broken seat ✂︎"), .seatsReleased(SeatsReleased(blockId: "x1", seats: ["A1"], at: t0)),
        ]
        for event in events {
            #expect(try SessionEvent.decode(type: event.type.rawValue, data: event.encodedData()) == event)
        }
    }
}
