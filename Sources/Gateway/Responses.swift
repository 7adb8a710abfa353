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
    /// Places offered from a waiting list.
    var offered: Bool?

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
        offered = booking.offered
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

/// `POST /sessions` answer: a seated session as created (GA events answer in seed 003's words).
struct SessionBody: Encodable {
    var id: String
    var title: String
    var kind: SessionKind
    var hall: HallRef?
    var startsAt: Date?
    var sections: [SeatSectionBody]
    var singleSeatRule: SingleSeatPolicy?
    var maxSeatsPerUser: Int?
    var salesOpenAt: Date?
    var salesCloseAt: Date?
    var position: Int64

    init(_ session: SessionScheduled, position: Int64) {
        id = session.sessionId
        title = session.title
        kind = session.kind
        hall = session.hall
        startsAt = session.startsAt
        sections = session.seatSections.map(SeatSectionBody.init)
        singleSeatRule = session.singleSeatRule
        (maxSeatsPerUser, salesOpenAt, salesCloseAt) = (session.maxSeatsPerUser, session.salesOpenAt, session.salesCloseAt)
        self.position = position
    }
}

/// `POST /sessions/:id/sales` answer: the settings now in force.
struct SalesBody: Encodable {
    var id: String
    var maxSeatsPerUser: Int?
    var salesOpenAt: Date?
    var salesCloseAt: Date?
    var position: Int64

    init(_ session: SessionScheduled, position: Int64) {
        id = session.sessionId
        (maxSeatsPerUser, salesOpenAt, salesCloseAt) = (session.maxSeatsPerUser, session.salesOpenAt, session.salesCloseAt)
        self.position = position
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

/// A block of seats kept back from sale (`/sessions/:id/blocks`).
struct BlockBody: Encodable {
    var id: String
    var sessionId: String
    /// The seats still blocked: none once released or booked out.
    var seats: [String]
    var reason: String
    var blockedAt: Date
    var releasedAt: Date?
    /// Position of the command's last event (absent in a listing).
    var position: Int64?

    init(_ block: SeatBlock, sessionId: String, position: Int64?) {
        id = block.id
        self.sessionId = sessionId
        seats = block.seats
        reason = block.reason
        blockedAt = block.blockedAt
        releasedAt = block.releasedAt
        self.position = position
    }
}

/// A waiting-list entry: `place` in the line (1 = next) of `waiting`.
struct WaiterBody: Encodable {
    var sessionId: String
    var userId: String?
    var count: Int?
    var sectionId: String?
    var joinedAt: Date?
    var place: Int?
    var waiting: Int?
    /// Position of the command's last event (absent in a listing).
    var position: Int64?

    init(_ waiter: Waiter, sessionId: String, place: Int?, waiting: Int?, position: Int64? = nil) {
        self.sessionId = sessionId
        userId = waiter.userId
        count = waiter.count
        sectionId = waiter.sectionId
        joinedAt = waiter.joinedAt
        self.place = place
        self.waiting = waiting
        self.position = position
    }

    private init(sessionId: String, waiting: Int, position: Int64) {
        self.sessionId = sessionId
        self.waiting = waiting
        self.position = position
    }

    /// The answer to leaving: how many still wait.
    static func left(sessionId: String, waiting: Int, position: Int64) -> WaiterBody {
        WaiterBody(sessionId: sessionId, waiting: waiting, position: position)
    }
}

/// `GET /sessions/:id/waitlist` for a user: their entry (absent once offered) and their open offers.
struct WaitingBody: Encodable {
    var entry: WaiterBody?
    var offers: [BookingBody]
}

/// A waiting room: its opening, rate and counts; for a queued buyer, their place and turn.
struct RoomBody: Encodable {
    var sessionId: String
    var onSaleAt: Date
    var admitPerMinute: Int
    /// Buyers in the queue, and how many of them have had their turn by now.
    var queued: Int
    var due: Int
    /// Everyone has had their turn: anyone may book.
    var empty: Bool
    var place: Int?
    var admitAt: Date?
    var admitted: Bool?

    init(_ room: WaitingRoom, sessionId: String, at now: Date) {
        self.sessionId = sessionId
        onSaleAt = room.onSaleAt
        admitPerMinute = room.admitPerMinute
        queued = room.count
        due = room.dueCount(at: now)
        empty = room.isEmpty(at: now)
    }
}

/// The answer to opening a waiting room or joining its queue.
struct QueueAnswer: Encodable {
    var sessionId: String
    var onSaleAt: Date?
    var queued: Int?
    /// Known once sales have opened (the early buyers' order is drawn then).
    var place: Int?
    var admitAt: Date?
    var position: Int64

    init(_ outcome: SessionOutcome, sessionId: String, position: Int64) {
        self.sessionId = sessionId
        onSaleAt = outcome.onSaleAt
        queued = outcome.waiting
        place = outcome.place
        admitAt = outcome.admitAt
        self.position = position
    }
}
