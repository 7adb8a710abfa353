import Commands
import Foundation

/// Seed 004's words (`seeds/004…`, an Express app with row locks): shows whose seats are numbered, bookings
/// that are PENDING, CONFIRMED or FAILED, snake_case fields. Every mapping between its words and
/// Boxoffice's booking model is here, so its routes only pick which answer to give.
enum ShowVocabulary {
    /// 004's expiry worker fails a PENDING booking after two minutes; a shorter configured hold still wins.
    static let holdTTL: TimeInterval = 120

    /// HELD is PENDING and EXPIRED is FAILED; CANCELLED keeps its name (004 has no cancellation, so a
    /// booking cancelled on Boxoffice's route is not passed off as a failed one).
    static func word(_ status: BookingStatus) -> String {
        switch status {
        case .held: "PENDING"
        case .confirmed: "CONFIRMED"
        case .expired: "FAILED"
        case .cancelled: "CANCELLED"
        }
    }

    /// The status a `?status=` word names; nil for an unknown word.
    static func status(_ word: String) -> BookingStatus? {
        switch word.uppercased() {
        case "PENDING": .held
        case "CONFIRMED": .confirmed
        case "FAILED": .expired
        case "CANCELLED": .cancelled
        default: nil
        }
    }

    /// A seat's status in 004's seat list: it mirrors the booking that occupies it, or `BLOCKED` for a
    /// seat the admin keeps back (not a word of 004, but a client that books only `AVAILABLE` seats is right).
    static func seatWord(_ holder: BookingStatus?, blocked: Bool = false) -> String {
        switch holder {
        case .held?: "PENDING"
        case .confirmed?: "CONFIRMED"
        default: blocked ? "BLOCKED" : "AVAILABLE"
        }
    }

    /// 004 writes start times as `2025-12-11 19:00`: a space for the `T`, no seconds and no zone, read as UTC.
    /// Full ISO-8601 is accepted too.
    static func startTime(_ text: String) throws -> Date {
        if let date = ISO8601.date(from: text) { return date }
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        if parts.count == 2, let date = ISO8601.date(from: "\(parts[0])T\(parts[1])\(parts[1].count == 5 ? ":00" : "")Z") {
            return date
        }
        throw APIError.invalidRequest("start_time must look like 2025-12-11 19:00 (UTC) or be ISO-8601")
    }
}

/// 004 names seats by number (`seats: [1, 2]`). A show made by `POST /admin/shows` has one unlabelled row,
/// so seat `7` is seat id `7`; a session in a hall with rows is numbered 1…N in layout order (A1, A2, …, B1).
struct SeatNumbers {
    private let ids: [String]
    private let numbers: [String: Int]

    init(_ sections: [SeatSection]) {
        ids = sections.flatMap { $0.rows.flatMap(\.seatIds) }
        numbers = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0 + 1) })
    }

    /// Seat ids in layout order.
    var all: [String] { ids }

    func number(of seatId: String) -> Int? { numbers[seatId] }

    func seatId(of number: Int) -> String? {
        ids.indices.contains(number - 1) ? ids[number - 1] : nil
    }
}

/// A seat as 004's `POST /book` names it: a number, or (Boxoffice's own form) a seat id.
enum SeatReference: Decodable, Sendable {
    case number(Int)
    case id(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            self = .id(try container.decode(String.self))
        }
    }

    /// The seat id, through the session's numbering; an unknown number stays a (refused) id.
    func seatId(_ numbers: SeatNumbers) -> String {
        switch self {
        case .number(let number): numbers.seatId(of: number) ?? "\(number)"
        case .id(let id): id
        }
    }

    var text: String? {
        if case .id(let id) = self { return id }
        return nil
    }
}

/// 004's answers.
enum ShowAnswer {
    /// `POST /book` with `showId`.
    struct Created: Encodable {
        var message = "Booking created"
        var bookingId: String
        var status: String
        var position: Int64
    }

    /// `POST /book/confirm`.
    struct Confirmed: Encodable {
        var message = "Booking confirmed"
        var bookingId: String
        var position: Int64
    }

    /// `GET /book/:id`: `{booking: {id, show_id, user_name, status}, seats: [{seat_number, status}]}`.
    struct Lookup: Encodable {
        struct Header: Encodable {
            var id: String
            var show_id: String
            var user_name: String
            var status: String
        }
        struct Seat: Encodable {
            var seat_number: Int
            var status: String
        }
        var booking: Header
        var seats: [Seat]

        /// A booking's seats carry its own status: its seats may since have gone to someone else.
        init(_ booking: Booking, showId: String, userName: String, numbers: SeatNumbers) {
            let word = ShowVocabulary.word(booking.status)
            self.booking = Header(id: booking.id, show_id: showId, user_name: userName, status: word)
            seats = (booking.seats ?? []).compactMap { numbers.number(of: $0) }.map { Seat(seat_number: $0, status: word) }
        }
    }

    /// One entry of `GET /shows/:id/seats`. `booking_id` is null except for the admin: a seat list must
    /// not hand one buyer another's booking id, which is all a guest needs to act on a booking.
    struct Seat: Encodable {
        var id: String
        var seat_number: Int
        var status: String
        var booking_id: String?

        enum CodingKeys: String, CodingKey { case id, seat_number, status, booking_id }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(seat_number, forKey: .seat_number)
            try container.encode(status, forKey: .status)
            try container.encode(booking_id, forKey: .booking_id)
        }
    }

    /// One entry of `GET /admin/bookings`.
    struct Listed: Encodable {
        var id: String
        var show_id: String
        var user_name: String
        var status: String
        var seats: [Int]
        var qty: Int?
        var created_at: Date
    }
}
