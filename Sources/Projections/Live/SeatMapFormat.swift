import Commands
import Foundation

/// The representations a live session is answered in.
public enum SeatMapFormat: Sendable, Hashable {
    /// The seat map as the durable read model stores it: one object per seat.
    case full
    /// One string of status letters per row (`A` available, `H` held, `B` booked, `X` blocked; seat ids are the row
    /// label followed by the 1-based position in the string), GA sections and counts as in `full`.
    case compact
    /// The session document of `GET /sessions/:id` (counts and GA remaining).
    case session
}

/// `GET /sessions/:id/seats?format=compact`: a 2,000-seat map in about 2.5 KB instead of 170 KB.
struct CompactSeatMap: Encodable {
    struct Row: Encodable {
        var section: String
        var row: String
        var seats: String
    }

    var sessionId: String
    var version: Int
    var format = "compact"
    var rows: [Row]
    var sections: [SectionView]
    var summary: SeatCounts

    init(_ map: SeatMap, layout: SessionScheduled) {
        sessionId = map.sessionId
        version = map.version
        sections = map.sections
        summary = map.summary
        rows = []
        var index = 0
        for section in layout.seatSections {
            for row in section.rows {
                let count = max(row.seats, 0)
                let letters = map.seats[index..<min(index + count, map.seats.count)].map(\.status.letter)
                rows.append(Row(section: section.id, row: row.row, seats: String(letters)))
                index += count
            }
        }
    }
}

extension LiveSession {
    /// The body of this version in `format`.
    func render(_ format: SeatMapFormat) throws -> Data {
        let encoder = EventJSON.encoder
        switch format {
        case .full:
            return try encoder.encode(map)
        case .compact:
            return try encoder.encode(CompactSeatMap(map, layout: scheduled))
        case .session:
            var document = SessionDocument(scheduled, tally: map.tally)
            document.refresh(from: map.tally)
            return try encoder.encode(document)
        }
    }
}
