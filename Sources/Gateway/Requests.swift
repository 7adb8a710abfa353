import Commands
import Foundation

/// `POST /halls`.
struct CreateHallRequest: Decodable {
    struct Section: Decodable {
        var id: String?
        var name: String
        var price: Decimal
        var rows: [SeatRow]
    }
    var name: String
    var sections: [Section]
}

/// `POST /sessions`.
struct CreateSessionRequest: Decodable {
    var title: String
    var hallId: String
    var startsAt: String
    var singleSeatRule: SingleSeatPolicy?
    var maxSeatsPerUser: Int?
    var salesOpenAt: String?
    var salesCloseAt: String?

    func sales() throws -> SalesSettings {
        try SalesRequest(maxSeatsPerUser: maxSeatsPerUser, salesOpenAt: salesOpenAt, salesCloseAt: salesCloseAt).settings()
    }
}

/// `POST /sessions/:id/sales`: the cap and window from now on; a field left out is none.
struct SalesRequest: Decodable {
    var maxSeatsPerUser: Int?
    var salesOpenAt: String?
    var salesCloseAt: String?

    func settings() throws -> SalesSettings {
        SalesSettings(
            maxSeatsPerUser: maxSeatsPerUser,
            salesOpenAt: try salesOpenAt.map { try RequestDates.parse($0, field: "salesOpenAt") },
            salesCloseAt: try salesCloseAt.map { try RequestDates.parse($0, field: "salesCloseAt") })
    }
}

/// `POST /sessions/:id/blocks`.
struct BlockRequest: Decodable {
    var seats: [String]
    var reason: String
}

/// `POST /sessions/:id/blocks/:blockId/book` (admin): the block's seats, or some of them, for a user.
struct BlockBookingRequest: Decodable {
    var userId: String
    var seats: [String]?
    /// Booked at once unless false (then held like any hold).
    var confirm: Bool?
}

/// `POST /sessions/:id/waitlist`.
struct WaitlistRequest: Decodable {
    var count: Int
    /// The GA section (may be left out when the event has one).
    var sectionId: String?
    /// Only with the admin token.
    var userId: String?
}

/// `POST /sessions/:id/waiting-room` (admin).
struct WaitingRoomRequest: Decodable {
    var onSaleAt: String
    var admitPerMinute: Int
}

/// `POST /sessions/:id/queue`: no body, or the user the admin queues.
struct QueueRequest: Decodable {
    var userId: String?
}

/// `POST /events/create`.
struct CreateEventRequest: Decodable {
    struct Section: Decodable {
        var id: String?
        var name: String
        var price: Decimal
        var capacity: Int
    }
    var name: String
    var startsAt: String?
    var sections: [Section]
    var maxSeatsPerUser: Int?
    var salesOpenAt: String?
    var salesCloseAt: String?

    func sales() throws -> SalesSettings {
        try SalesRequest(maxSeatsPerUser: maxSeatsPerUser, salesOpenAt: salesOpenAt, salesCloseAt: salesCloseAt).settings()
    }
}

/// `POST /admin/shows` (snake_case by contract).
struct CreateShowRequest: Decodable {
    var name: String
    var start_time: String
    var total_seats: Int
}

/// `POST /users`.
struct RegisterRequest: Decodable {
    var name: String
    var email: String
}

/// `POST /sessions/:id/seats/reserve`.
struct ReserveRequest: Decodable {
    /// Named seats, or `count` (best available, in `section`, `together` by default).
    var seats: [String]?
    var count: Int?
    var section: String?
    var together: Bool?
    var confirm: Bool?
    /// Only for the admin token, which books on a user's behalf.
    var userId: String?
}

/// `POST /book`: a GA quantity (`eventId|sessionId`, `sectionId`, `qty`) or seats (`showId|sessionId`,
/// `seats` as ids or seed 004's numbers); `userName` without a token makes it a guest's booking.
struct BookRequest: Decodable {
    var eventId: String?
    var sessionId: String?
    var showId: String?
    var sectionId: String?
    var qty: Int?
    var hold: Bool?
    var seats: [SeatReference]?
    var confirm: Bool?
    var userId: String?
    var userName: String?

    var targetSession: String? { sessionId ?? eventId ?? showId }

    /// Whose words the answer is in: the field that named the session says which seed the client follows.
    var vocabulary: BookVocabulary {
        if sessionId != nil { return .boxoffice }
        if showId != nil { return .show }
        return eventId != nil ? .event : .boxoffice
    }
}

enum BookVocabulary {
    case boxoffice
    /// Seed 004's.
    case show
    /// Seed 003's.
    case event
}

/// `POST /book/confirm`.
struct BookingIdRequest: Decodable {
    var bookingId: String
}

/// Parsing of timestamps in request bodies.
enum RequestDates {
    static func parse(_ text: String, field: String) throws -> Date {
        guard let date = ISO8601.date(from: text) else {
            throw APIError.invalidRequest("\(field) must be an ISO-8601 timestamp such as 2026-12-01T19:30:00Z")
        }
        return date
    }
}

/// `POST /scanners`: a door scanner's name and, optionally, the one session it admits to.
struct ScannerRequest: Decodable {
    var name: String
    var sessionId: String?
}

/// `POST /checkin`: one scan, made now.
struct CheckinRequest: Decodable {
    var secret: String
    var gate: String
    var scanId: String
}

/// `POST /checkin/batch`: scans a scanner made offline, in the order it made them.
struct CheckinBatchRequest: Decodable {
    struct Scan: Decodable {
        var secret: String
        var gate: String
        var scanId: String
        var scannedAt: String
    }
    var scans: [Scan]
}
