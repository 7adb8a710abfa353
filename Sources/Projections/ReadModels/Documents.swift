import Commands
import Foundation

/// `sessions` document: one per session, what the session list and `GET /sessions/:id` show.
public struct SessionDocument: Codable, Equatable, Sendable {
    public struct Section: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var price: Decimal
        public var rows: [SeatRow]?
        public var seatCount: Int?
        public var capacity: Int?
        public var remaining: Int?
        public var held: Int?
        public var booked: Int?
    }

    public var id: String
    public var title: String
    public var kind: SessionKind
    public var hall: HallRef?
    public var startsAt: Date?
    public var sections: [Section]
    public var counts: SeatCounts
    public var version: Int
    /// `refuse` when named-seat reservations may not leave lone seats.
    public var singleSeatRule: SingleSeatPolicy?
    public var maxSeatsPerUser: Int?
    public var salesOpenAt: Date?
    public var salesCloseAt: Date?
}

/// `bookings` document: one per booking, with its session's title and section names.
public struct BookingDocument: Codable, Equatable, Sendable {
    public struct SectionRef: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
    }

    public var id: String
    public var sessionId: String
    public var sessionTitle: String
    public var sessionKind: SessionKind
    public var userId: String
    public var status: BookingStatus
    public var seats: [String]?
    public var sectionId: String?
    public var qty: Int?
    public var sections: [SectionRef]
    public var amount: Decimal
    public var holdExpiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// Global position of the booking's last event.
    public var position: Int64
    /// The name a guest booked under (no account).
    public var guestName: String?
    /// Places offered to a waiter (`SeatsOffered`): confirming accepts the offer.
    public var offered: Bool?
}

/// `users` document: a user's details (never the token hash).
public struct UserDocument: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var email: String
    public var registeredAt: Date
}

/// `halls` document: a hall and its layout with seat ids.
public struct HallDocument: Codable, Equatable, Sendable {
    public struct Section: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var price: Decimal
        public var rows: [SeatRow]
        public var seatIds: [String]
    }

    public var id: String
    public var name: String
    public var sections: [Section]
    public var seatCount: Int
}
