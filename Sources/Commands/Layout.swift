import Foundation

/// A row of numbered seats: seat ids are the row label followed by 1…`seats` (`A1`, `A2`, …).
public struct SeatRow: Codable, Equatable, Sendable {
    /// Row label, letters only so that `label + number` is unambiguous.
    public var row: String
    /// Number of seats in the row.
    public var seats: Int
    /// Best-available preference, lower first; rows without one rank by their place in the layout.
    public var rank: Int?

    public init(row: String, seats: Int, rank: Int? = nil) {
        self.row = row
        self.seats = seats
        self.rank = rank
    }

    /// The seat ids of this row in order.
    public var seatIds: [String] { (0..<max(seats, 0)).map { "\(row)\($0 + 1)" } }
}

/// A priced section of a seated layout.
public struct SeatSection: Codable, Equatable, Sendable {
    /// Section id, unique within its hall.
    public var id: String
    /// Display name.
    public var name: String
    /// Price of one seat.
    public var price: Decimal
    /// Rows of seats.
    public var rows: [SeatRow]

    public init(id: String, name: String, price: Decimal, rows: [SeatRow]) {
        self.id = id
        self.name = name
        self.price = price
        self.rows = rows
    }
}

/// A general-admission section: no seat ids, a capacity booked by quantity.
public struct GASection: Codable, Equatable, Sendable {
    /// Section id, unique within its session.
    public var id: String
    /// Display name.
    public var name: String
    /// Price of one ticket.
    public var price: Decimal
    /// How many tickets exist.
    public var capacity: Int

    public init(id: String, name: String, price: Decimal, capacity: Int) {
        self.id = id
        self.name = name
        self.price = price
        self.capacity = capacity
    }
}

/// Bounds that keep one aggregate's state and events a sane size.
public enum LayoutLimits {
    /// Longest name or title.
    public static let maxNameLength = 200
    /// Most sections in one layout.
    public static let maxSections = 50
    /// Most rows in one section.
    public static let maxRowsPerSection = 200
    /// Most seats in one row.
    public static let maxSeatsPerRow = 500
    /// Most seats in one hall or show.
    public static let maxSeats = 20_000
    /// Largest GA capacity of one section.
    public static let maxCapacity = 1_000_000
    /// Highest price of one seat or ticket.
    public static let maxPrice: Decimal = 1_000_000
}

/// Validation shared by halls, seated sessions and GA events.
public enum LayoutRules {
    public static func name(_ value: String, field: String) throws(DomainError) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid("\(field) must not be empty") }
        guard value.count <= LayoutLimits.maxNameLength else {
            throw .invalid("\(field) is longer than \(LayoutLimits.maxNameLength) characters")
        }
        // Control characters have no place in a name, and PostgreSQL's jsonb cannot even store U+0000.
        guard !containsControlCharacters(value) else { throw .invalid("\(field) must not contain control characters") }
    }

    static func containsControlCharacters(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func price(_ value: Decimal, field: String) throws(DomainError) {
        guard value >= 0, value <= LayoutLimits.maxPrice, !value.isNaN else {
            throw .invalid("\(field) must be between 0 and \(LayoutLimits.maxPrice)")
        }
    }

    static func seated(_ sections: [SeatSection]) throws(DomainError) {
        guard !sections.isEmpty else { throw .invalid("sections must not be empty") }
        guard sections.count <= LayoutLimits.maxSections else { throw .invalid("at most \(LayoutLimits.maxSections) sections") }
        var sectionIds = Set<String>()
        var rowLabels = Set<String>()
        var total = 0
        for section in sections {
            try sectionId(section.id)
            guard sectionIds.insert(section.id).inserted else { throw .invalid("duplicate section id \(section.id)") }
            try name(section.name, field: "section name")
            try price(section.price, field: "section price")
            guard !section.rows.isEmpty, section.rows.count <= LayoutLimits.maxRowsPerSection else {
                throw .invalid("section \(section.id) needs 1 to \(LayoutLimits.maxRowsPerSection) rows")
            }
            for row in section.rows {
                // An unlabelled row is allowed only as the one row of a show, whose seats are 1…N.
                let unlabelledShow = row.row.isEmpty && sections.count == 1 && section.rows.count == 1
                guard unlabelledShow || (1...4).contains(row.row.count), row.row.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                    throw .invalid("row label must be 1 to 4 letters: \(row.row)")
                }
                // A show's seats are numbered 1…N with no rows (seed 004's contract), so its one row may hold
                // a whole show; every other row keeps the per-row bound.
                let rowLimit = unlabelledShow ? LayoutLimits.maxSeats : LayoutLimits.maxSeatsPerRow
                guard row.seats >= 1, row.seats <= rowLimit else {
                    throw .invalid("row \(row.row) needs 1 to \(rowLimit) seats")
                }
                guard rowLabels.insert(row.row).inserted else { throw .invalid("duplicate row \(row.row)") }
                if let rank = row.rank, !(0...10_000).contains(rank) { throw .invalid("row rank must be 0 to 10000") }
                total += row.seats
            }
        }
        guard total <= LayoutLimits.maxSeats else { throw .invalid("at most \(LayoutLimits.maxSeats) seats") }
    }

    static func general(_ sections: [GASection]) throws(DomainError) {
        guard !sections.isEmpty else { throw .invalid("sections must not be empty") }
        guard sections.count <= LayoutLimits.maxSections else { throw .invalid("at most \(LayoutLimits.maxSections) sections") }
        var ids = Set<String>()
        for section in sections {
            try sectionId(section.id)
            guard ids.insert(section.id).inserted else { throw .invalid("duplicate section id \(section.id)") }
            try name(section.name, field: "section name")
            try price(section.price, field: "section price")
            guard section.capacity >= 1, section.capacity <= LayoutLimits.maxCapacity else {
                throw .invalid("capacity must be between 1 and \(LayoutLimits.maxCapacity)")
            }
        }
    }

    static func sectionId(_ id: String) throws(DomainError) {
        guard !id.isEmpty, id.count <= 64,
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw .invalid("section id must be 1 to 64 letters, digits, - or _: \(id)") }
    }
}
