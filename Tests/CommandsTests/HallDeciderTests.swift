import Commands
import Foundation
import Testing

@Suite("Hall: create")
struct HallDeciderTests {
    func hall(name: String = "Hall 1", _ sections: [SeatSection] = [stalls, balcony]) -> HallCommand {
        .create(HallCreated(hallId: "h1", name: name, sections: sections))
    }

    func section(id: String = "main", price: Decimal = 10, _ rows: [SeatRow]) -> SeatSection {
        SeatSection(id: id, name: "Main", price: price, rows: rows)
    }

    @Test func createsAValidLayout() throws {
        let events = try HallDecider.decide(hall(), given([HallEvent]()), now: t0)
        #expect(events == [.created(HallCreated(hallId: "h1", name: "Hall 1", sections: [stalls, balcony]))])
        #expect(HallDecider.fold(events).hall?.sections.count == 2)
    }

    @Test(arguments: ["", "   ", String(repeating: "x", count: LayoutLimits.maxNameLength + 1)])
    func refusesABadName(_ name: String) {
        #expect(throws: DomainError.self) { try HallDecider.decide(hall(name: name), HallState(), now: t0) }
    }

    @Test func refusesEmptySections() {
        #expect(throws: DomainError.invalid("sections must not be empty")) {
            try HallDecider.decide(hall([]), HallState(), now: t0)
        }
    }

    @Test func refusesADuplicateSectionId() {
        let twin = SeatSection(id: "stalls", name: "Other", price: 5, rows: [SeatRow(row: "Z", seats: 1)])
        #expect(throws: DomainError.invalid("duplicate section id stalls")) {
            try HallDecider.decide(hall([stalls, twin]), HallState(), now: t0)
        }
    }

    @Test(arguments: ["", "with space", "a/b", String(repeating: "s", count: 65)])
    func refusesABadSectionId(_ id: String) {
        #expect(throws: DomainError.self) {
            try HallDecider.decide(hall([section(id: id, [SeatRow(row: "A", seats: 1)])]), HallState(), now: t0)
        }
    }

    // Digits in a label would make `label + number` ambiguous (row "A1" seat 1 vs row "A" seat 11).
    @Test(arguments: ["A1", "1", "ABCDE", "Ä", "A-"])
    func refusesABadRowLabel(_ label: String) {
        #expect(throws: DomainError.invalid("row label must be 1 to 4 letters: \(label)")) {
            try HallDecider.decide(hall([section([SeatRow(row: label, seats: 3)])]), HallState(), now: t0)
        }
    }

    @Test func acceptsFourLetterLabels() throws {
        let events = try HallDecider.decide(hall([section([SeatRow(row: "ABCD", seats: 3)])]), HallState(), now: t0)
        #expect(events.count == 1)
    }

    // An unlabelled row is only for a show's single row; in a hall with two rows it would collide.
    @Test func refusesAnUnlabelledRowBesideOthers() {
        #expect(throws: DomainError.invalid("row label must be 1 to 4 letters: ")) {
            try HallDecider.decide(hall([section([SeatRow(row: "", seats: 3), SeatRow(row: "A", seats: 3)])]), HallState(), now: t0)
        }
    }

    // Seat ids are unique per hall only if row labels are unique across all sections.
    @Test func refusesARowLabelRepeatedAcrossSections() {
        let clash = SeatSection(id: "boxes", name: "Boxes", price: 30, rows: [SeatRow(row: "B", seats: 2)])
        #expect(throws: DomainError.invalid("duplicate row B")) {
            try HallDecider.decide(hall([stalls, clash]), HallState(), now: t0)
        }
    }

    @Test(arguments: [0, -1, LayoutLimits.maxSeatsPerRow + 1])
    func refusesASeatCountOutOfRange(_ seats: Int) {
        #expect(throws: DomainError.invalid("row A needs 1 to \(LayoutLimits.maxSeatsPerRow) seats")) {
            try HallDecider.decide(hall([section([SeatRow(row: "A", seats: seats)])]), HallState(), now: t0)
        }
    }

    @Test func acceptsTheLongestRow() throws {
        let events = try HallDecider.decide(
            hall([section([SeatRow(row: "A", seats: LayoutLimits.maxSeatsPerRow)])]), HallState(), now: t0)
        #expect(events.count == 1)
    }

    @Test func refusesASectionWithoutRows() {
        #expect(throws: DomainError.self) { try HallDecider.decide(hall([section([])]), HallState(), now: t0) }
    }

    @Test(arguments: [Decimal(-1), Decimal(string: "-0.01")!, LayoutLimits.maxPrice + 1])
    func refusesAPriceOutOfRange(_ price: Decimal) {
        #expect(throws: DomainError.invalid("section price must be between 0 and \(LayoutLimits.maxPrice)")) {
            try HallDecider.decide(hall([section(price: price, [SeatRow(row: "A", seats: 1)])]), HallState(), now: t0)
        }
    }

    // Free seats (complimentary sections) are legitimate.
    @Test func acceptsAFreeSection() throws {
        let events = try HallDecider.decide(hall([section(price: 0, [SeatRow(row: "A", seats: 1)])]), HallState(), now: t0)
        #expect(events.count == 1)
    }

    @Test func refusesMoreThanTheSeatLimit() {
        // 41 rows of 500 seats = 20,500 > 20,000; row labels must be distinct letters.
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let rows: [SeatRow] = (0..<41).map { (index: Int) -> SeatRow in
            SeatRow(row: String([letters[index / 26], letters[index % 26]]), seats: LayoutLimits.maxSeatsPerRow)
        }
        #expect(throws: DomainError.invalid("at most \(LayoutLimits.maxSeats) seats")) {
            try HallDecider.decide(hall([section(rows)]), HallState(), now: t0)
        }
    }

    // Ids are generated, so a second create on the same stream can only be a replay.
    @Test func refusesCreatingTwice() {
        let state = given([HallEvent.created(HallCreated(hallId: "h1", name: "Hall 1", sections: [stalls]))])
        #expect(throws: DomainError.alreadyExists("hall")) { try HallDecider.decide(hall(), state, now: t0) }
    }
}
