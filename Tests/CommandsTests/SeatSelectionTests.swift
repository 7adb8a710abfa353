import Commands
import Foundation
import Testing

/// Issue 16, items 1 and 2: best available and the single-seat rule, given events / when command / then.
@Suite("Seated: best available and lone seats")
struct SeatSelectionTests {
    /// One section, rows A (front) and B of 8 seats; row B ranked first when `rankB` is set.
    func session(rankB: Int? = nil, rule: SingleSeatPolicy? = nil) -> SessionScheduled {
        SessionScheduled(
            sessionId: "s1", title: "Film", startsAt: nil, kind: .seated, hall: nil,
            seatSections: [
                SeatSection(id: "main", name: "Main", price: 10, rows: [SeatRow(row: "A", seats: 8), SeatRow(row: "B", seats: 8, rank: rankB)])
            ], gaSections: [], singleSeatRule: rule)
    }

    func best(_ count: Int, together: Bool = true, section: String? = nil, id: String = "b9") -> SessionCommand {
        .reserveBest(ReserveBest(bookingId: id, userId: "u9", count: count, section: section, together: together, confirm: false, holdTTL: ttl))
    }

    func seatsOf(_ events: [SessionEvent]) -> [String]? { placed(in: events)?.seats }

    @Test func aPairGoesToTheMiddleOfTheFrontRow() throws {
        #expect(seatsOf(try SessionDecider.decide(best(2), given([.scheduled(session())]), now: t0)) == ["A4", "A5"])
    }

    @Test func aRowsRankComesBeforeItsPlace() throws {
        // Equal ranks (A by its place, 0; B given 0): the rest of the score ties too, and the first row wins.
        #expect(seatsOf(try SessionDecider.decide(best(2), given([.scheduled(session(rankB: 0))]), now: t0)) == ["A4", "A5"])
        let back = SessionScheduled(
            sessionId: "s2", title: "Film", startsAt: nil, kind: .seated, hall: nil,
            seatSections: [
                SeatSection(id: "main", name: "Main", price: 10, rows: [SeatRow(row: "A", seats: 8, rank: 5), SeatRow(row: "B", seats: 8, rank: 1)])
            ], gaSections: [])
        #expect(seatsOf(try SessionDecider.decide(best(2), given([.scheduled(back)]), now: t0)) == ["B4", "B5"])
    }

    @Test func aBlockThatWouldStrandASingleLosesToOneThatWouldNot() throws {
        // A2-A6 free: A4-A5 is nearest the middle but leaves A6 alone; A5-A6 leaves A2-A4 together.
        let run = given([.scheduled(session()), seatsBooked("b1", ["A1", "A7", "A8"])])
        #expect(seatsOf(try SessionDecider.decide(best(2), run, now: t0)) == ["A5", "A6"])
        // A1-A5 free: A4-A5 is nearest the middle and leaves A1-A3 together.
        let five = given([.scheduled(session()), seatsBooked("b1", ["A6", "A7", "A8"])])
        #expect(seatsOf(try SessionDecider.decide(best(2), five, now: t0)) == ["A4", "A5"])
        // A1-A3 free: every pair leaves one alone, so the nearest to the middle; the row still comes first.
        let three = given([.scheduled(session()), seatsBooked("b1", ["A4", "A5", "A6", "A7", "A8"])])
        #expect(seatsOf(try SessionDecider.decide(best(2), three, now: t0)) == ["A2", "A3"])
    }

    @Test func noBlockLargeEnoughIsRefusedWithTheLargestThereIs() throws {
        let state = given([
            .scheduled(session()), seatsBooked("b1", ["A2", "A4", "A6", "A8"]), seatsBooked("b2", ["B1", "B2", "B5", "B6"]),
        ])
        #expect(throws: DomainError.noSeatsTogether(largest: 2)) { try SessionDecider.decide(best(3), state, now: t0) }
        // Apart, three free seats are enough.
        let apart = try #require(seatsOf(try SessionDecider.decide(best(3, together: false), state, now: t0)))
        #expect(apart.count == 3 && Set(apart).isDisjoint(with: ["A2", "A4", "A6", "A8", "B1", "B2", "B5", "B6"]))
        #expect(apart.allSatisfy { $0.hasPrefix("A") }, "the front row first")
        #expect(throws: DomainError.insufficientCapacity(remaining: 8)) { try SessionDecider.decide(best(9, together: false), state, now: t0) }
    }

    @Test func aDueHoldsSeatsAreChosenAndItsExpiryRecordedFirst() throws {
        let state = given([.scheduled(session()), seatsHeld("b1", ["A4", "A5"])])
        let later = t0.addingTimeInterval(ttl + 1)
        let events = try SessionDecider.decide(best(2), state, now: later)
        #expect(events.first == .holdExpired(BookingChanged(bookingId: "b1", at: later)))
        #expect(seatsOf(events) == ["A4", "A5"])
        // Before the deadline the hold still counts.
        #expect(seatsOf(try SessionDecider.decide(best(2), state, now: t0)) == ["A2", "A3"])
    }

    @Test func aSectionAndASensibleCountAreRequired() throws {
        let state = given([.scheduled(session())])
        #expect(throws: DomainError.notFound("section")) { try SessionDecider.decide(best(2, section: "balcony"), state, now: t0) }
        #expect(throws: DomainError.invalid("count must be at least 1")) { try SessionDecider.decide(best(0), state, now: t0) }
        #expect(throws: DomainError.notFound("session")) { try SessionDecider.decide(best(2), SessionState(), now: t0) }
    }

    @Test func aRefusingSessionRefusesALoneSeatButNotAnUnavoidableOne() throws {
        let state = given([.scheduled(session(rule: .refuse)), seatsBooked("b1", ["A1"])])
        // A3 leaves A2 alone between A1 and A3.
        #expect(throws: DomainError.wouldStrandSeat("A2")) { try SessionDecider.decide(holdSeats("b2", ["A3"]), state, now: t0) }
        // A7 leaves A8 alone at the row's end.
        #expect(throws: DomainError.wouldStrandSeat("A8")) { try SessionDecider.decide(holdSeats("b2", ["A6", "A7"]), state, now: t0) }
        // A2-A3 leaves nobody alone.
        #expect(throws: Never.self) { try SessionDecider.decide(holdSeats("b2", ["A2", "A3"]), state, now: t0) }
        // Three free seats left (A6-A8) and a pair wanted from them: every choice leaves one, so it is allowed.
        let three = given([.scheduled(session(rule: .refuse)), seatsBooked("b1", ["A1", "A2", "A3", "A4", "A5"])])
        #expect(throws: Never.self) { try SessionDecider.decide(holdSeats("b2", ["A7", "A8"]), three, now: t0) }
        // The same choices in a session that allows lone seats.
        let allowing = given([.scheduled(session()), seatsBooked("b1", ["A1"])])
        #expect(throws: Never.self) { try SessionDecider.decide(holdSeats("b2", ["A3"]), allowing, now: t0) }
    }
}
