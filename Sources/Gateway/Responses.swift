import Commands
import Foundation

/// The booking body of SPEC: returned by every booking command.
struct BookingBody: Encodable {
    var id: String
    var sessionId: String
    var userId: String
    var status: BookingStatus
    var seats: [String]?
    var sectionId: String?
    var qty: Int?
    var amount: Decimal
    var holdExpiresAt: Date?
    var createdAt: Date
    var position: Int64
    /// Places left in the booking's GA section right after the command.
    var remaining: Int?

    init(_ booking: Booking, sessionId: String, position: Int64, remaining: Int?) {
        id = booking.id
        self.sessionId = sessionId
        userId = booking.userId
        status = booking.status
        seats = booking.seats
        sectionId = booking.sectionId
        qty = booking.qty
        amount = booking.amount
        holdExpiresAt = booking.status == .held ? booking.holdExpiresAt : nil
        createdAt = booking.createdAt
        self.position = position
        self.remaining = remaining
    }
}

/// A seated section with its rows and seat ids.
struct SeatSectionBody: Encodable {
    var id: String
    var name: String
    var price: Decimal
    var rows: [SeatRow]
    var seatIds: [String]

    init(_ section: SeatSection) {
        id = section.id
        name = section.name
        price = section.price
        rows = section.rows
        seatIds = section.rows.flatMap(\.seatIds)
    }
}

/// A GA section with what is left.
struct GASectionBody: Encodable {
    var id: String
    var name: String
    var price: Decimal
    var capacity: Int
    var remaining: Int
}

/// `POST /halls` answer.
struct HallBody: Encodable {
    var id: String
    var name: String
    var sections: [SeatSectionBody]
    var seatCount: Int
    var position: Int64

    init(_ hall: HallCreated, position: Int64) {
        id = hall.hallId
        name = hall.name
        sections = hall.sections.map(SeatSectionBody.init)
        seatCount = sections.reduce(0) { $0 + $1.seatIds.count }
        self.position = position
    }
}

/// A session as created: seated sections or GA sections.
struct SessionBody: Encodable {
    var id: String
    var title: String
    /// Same as `title`; GA events are named rather than titled.
    var name: String
    var kind: SessionKind
    var hall: HallRef?
    var startsAt: Date?
    var sections: [SessionSectionBody]
    var position: Int64

    /// A session as just scheduled: every GA place is still free.
    init(_ session: SessionScheduled, position: Int64) {
        id = session.sessionId
        title = session.title
        name = session.title
        kind = session.kind
        hall = session.hall
        startsAt = session.startsAt
        sections =
            session.kind == .seated
            ? session.seatSections.map { .seated(SeatSectionBody($0)) }
            : session.gaSections.map {
                .general(GASectionBody(id: $0.id, name: $0.name, price: $0.price, capacity: $0.capacity, remaining: $0.capacity))
            }
        self.position = position
    }
}

/// Either kind of section, encoded flat.
enum SessionSectionBody: Encodable {
    case seated(SeatSectionBody)
    case general(GASectionBody)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .seated(let body): try body.encode(to: encoder)
        case .general(let body): try body.encode(to: encoder)
        }
    }
}

/// `POST /admin/shows` answer (its contract names the id `showId`).
struct ShowCreatedBody: Encodable {
    var message = "Show created"
    var showId: String
    var position: Int64
}

/// `POST /users` answer: the only time the token is shown.
struct RegisteredBody: Encodable {
    var id: String
    var name: String
    var email: String
    var token: String?
    var position: Int64
}
