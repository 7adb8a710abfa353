import Commands
import Foundation

/// One message of a session's live seat feed (`GET /sessions/:id/seats/stream`): what one event of its
/// stream changed, with the counts after it. Its SSE `id` is the event's log position.
struct SeatChange: Encodable {
    struct Seat: Encodable {
        var id: String
        var status: SeatStatus
        var holdExpiresAt: Date?
    }

    var sessionId: String
    var version: Int
    var position: Int64
    /// The event type (`BookingPlaced`, `SeatsBlocked`, …).
    var type: String
    /// The seats the event moved, with their status after it (empty for GA and for events that move none).
    var seats: [Seat]
    /// GA sections with `remaining` after the event (empty for a seated session).
    var sections: [SectionView]
    var summary: SeatCounts
}

/// A watched session's live copy and where each of its seats sits in the map's seat list.
struct WatchedMap {
    private(set) var session: LiveSession
    private let index: [String: Int]

    init(_ session: LiveSession) {
        self.session = session
        index = Dictionary(uniqueKeysWithValues: session.map.seats.enumerated().map { ($1.id, $0) })
    }

    /// Applies the next event and answers its message; nil when the event is not the next version (an
    /// older one is skipped by the caller, a newer one is a gap).
    mutating func apply(_ event: SessionEvent, version: Int, position: Int64) -> SeatChange? {
        guard version == session.version + 1 else { return nil }
        let touched = session.seats(touchedBy: event)
        guard session.apply(event, version: version, position: position) else { return nil }
        let seats = touched.compactMap { id in
            index[id].map { session.map.seats[$0] }.map { SeatChange.Seat(id: $0.id, status: $0.status, holdExpiresAt: $0.holdExpiresAt) }
        }
        return SeatChange(
            sessionId: session.map.sessionId, version: version, position: position, type: event.type.rawValue, seats: seats,
            sections: session.map.sections, summary: session.map.summary)
    }
}
