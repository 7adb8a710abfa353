import Commands
import Foundation
import Testing

@Suite("Session: schedule")
struct ScheduleTests {
    @Test func schedulesASeatedSessionFromSections() throws {
        let events = try SessionDecider.decide(.schedule(seatedSession), SessionState(), now: t0)
        #expect(events == [.scheduled(seatedSession)])

        let state = given(events)
        #expect(Set(state.seats.keys) == ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "C1", "C2"])
        let c2 = try #require(state.seats["C2"])
        #expect(c2.sectionId == "balcony" && c2.row == "C" && c2.number == 2 && c2.price == 12.5)
        #expect(state.seatHolder.isEmpty && state.gaTaken.isEmpty)
    }

    @Test func schedulesAGeneralAdmissionSession() throws {
        let events = try SessionDecider.decide(.schedule(gaSession), SessionState(), now: t0)
        #expect(events == [.scheduled(gaSession)])

        let state = given(events)
        #expect(state.seats.isEmpty)
        #expect(state.remaining(in: "floor") == 10 && state.remaining(in: "vip") == 3)
    }

    // A show is one section with one unlabelled row, so its seats are plain numbers.
    @Test func schedulesAShowWithNumberedSeats() throws {
        let show = SessionScheduled(
            sessionId: "show", title: "Recital", startsAt: nil, kind: .seated, hall: nil,
            seatSections: [SeatSection(id: "all", name: "All", price: 15, rows: [SeatRow(row: "", seats: 5)])],
            gaSections: [])
        let state = given(try SessionDecider.decide(.schedule(show), SessionState(), now: t0))
        #expect(Set(state.seats.keys) == ["1", "2", "3", "4", "5"])
        #expect(state.seats["5"]?.number == 5)
    }

    @Test func refusesASeatedSessionWithGASections() {
        var mixed = seatedSession
        mixed.gaSections = [floorSection]
        #expect(throws: DomainError.invalid("a seated session has no GA sections")) {
            try SessionDecider.decide(.schedule(mixed), SessionState(), now: t0)
        }
    }

    @Test func refusesAGASessionWithSeats() {
        var mixed = gaSession
        mixed.seatSections = [stalls]
        #expect(throws: DomainError.invalid("a GA session has no seats")) {
            try SessionDecider.decide(.schedule(mixed), SessionState(), now: t0)
        }
    }

    @Test func refusesAnEmptyTitle() {
        var untitled = seatedSession
        untitled.title = " "
        #expect(throws: DomainError.invalid("title must not be empty")) {
            try SessionDecider.decide(.schedule(untitled), SessionState(), now: t0)
        }
    }

    @Test func refusesASeatedSessionWithoutSections() {
        var empty = seatedSession
        empty.seatSections = []
        #expect(throws: DomainError.invalid("sections must not be empty")) {
            try SessionDecider.decide(.schedule(empty), SessionState(), now: t0)
        }
    }

    @Test(arguments: [0, -5, LayoutLimits.maxCapacity + 1])
    func refusesAGACapacityOutOfRange(_ capacity: Int) {
        var bad = gaSession
        bad.gaSections[0].capacity = capacity
        #expect(throws: DomainError.invalid("capacity must be between 1 and \(LayoutLimits.maxCapacity)")) {
            try SessionDecider.decide(.schedule(bad), SessionState(), now: t0)
        }
    }

    @Test func refusesDuplicateGASectionIds() {
        var bad = gaSession
        bad.gaSections[1].id = "floor"
        #expect(throws: DomainError.invalid("duplicate section id floor")) {
            try SessionDecider.decide(.schedule(bad), SessionState(), now: t0)
        }
    }

    @Test func refusesANegativeGAPrice() {
        var bad = gaSession
        bad.gaSections[0].price = -5
        #expect(throws: DomainError.self) { try SessionDecider.decide(.schedule(bad), SessionState(), now: t0) }
    }

    @Test func refusesSchedulingTwice() {
        #expect(throws: DomainError.alreadyExists("session")) {
            try SessionDecider.decide(.schedule(seatedSession), given([.scheduled(seatedSession)]), now: t0)
        }
    }
}
