import Commands
import Foundation

/// One seat as the public sees it: never who holds it.
public struct SeatView: Codable, Equatable, Sendable {
    public var id: String
    public var row: String
    public var number: Int
    public var section: String
    public var price: Decimal
    /// `AVAILABLE`, `HELD` or `BOOKED`.
    public var status: String
    public var holdExpiresAt: Date?
}

/// Seat or ticket counts of a session.
public struct SeatCounts: Codable, Equatable, Sendable {
    public var total = 0
    public var available = 0
    public var held = 0
    public var booked = 0

    public init() {}
}

/// A GA section with its remaining places.
public struct SectionView: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var price: Decimal
    public var capacity: Int
    public var remaining: Int
    public var held: Int
    public var booked: Int
}

/// The seat map of a session at one version.
public struct SeatMap: Codable, Equatable, Sendable {
    public var sessionId: String
    public var version: Int
    public var seats: [SeatView]
    public var sections: [SectionView]
    public var summary: SeatCounts

    /// Renders the map from a folded session state. Audit replay uses it on the fold of the events,
    /// so it shows exactly what the log says, due holds included until their expiry is recorded.
    public static func of(_ state: SessionState, version: Int) -> SeatMap {
        guard let session = state.session else {
            return SeatMap(sessionId: "", version: version, seats: [], sections: [], summary: SeatCounts())
        }
        var summary = SeatCounts()
        var seats: [SeatView] = []
        for section in session.seatSections {
            for row in section.rows {
                for (offset, id) in row.seatIds.enumerated() {
                    let holder = state.seatHolder[id].flatMap { state.bookings[$0] }
                    let status: String
                    switch holder?.status {
                    case .held?: status = "HELD"; summary.held += 1
                    case .confirmed?: status = "BOOKED"; summary.booked += 1
                    default: status = "AVAILABLE"; summary.available += 1
                    }
                    seats.append(SeatView(id: id, row: row.row, number: offset + 1, section: section.id, price: section.price,
                                          status: status, holdExpiresAt: status == "HELD" ? holder?.holdExpiresAt : nil))
                }
            }
        }
        var sections: [SectionView] = []
        for section in session.gaSections {
            var held = 0, booked = 0
            for booking in state.bookings.values where booking.sectionId == section.id {
                switch booking.status {
                case .held: held += booking.qty ?? 0
                case .confirmed: booked += booking.qty ?? 0
                case .expired, .cancelled: break
                }
            }
            sections.append(SectionView(id: section.id, name: section.name, price: section.price, capacity: section.capacity,
                                        remaining: section.capacity - held - booked, held: held, booked: booked))
            summary.held += held
            summary.booked += booked
            summary.available += section.capacity - held - booked
        }
        summary.total = summary.available + summary.held + summary.booked
        return SeatMap(sessionId: session.sessionId, version: version, seats: seats, sections: sections, summary: summary)
    }
}
