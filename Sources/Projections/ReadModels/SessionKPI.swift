import Commands
import Foundation

/// `kpi-sessions` document: what happened to one session's bookings, counted from its events.
/// `GET /kpis` sums these documents.
public struct SessionKPI: Codable, Equatable, Sendable {
    /// Bookings by their current status.
    public struct StatusCounts: Codable, Equatable, Sendable {
        public var held = 0
        public var confirmed = 0
        public var cancelled = 0
        public var expired = 0

        public init(held: Int = 0, confirmed: Int = 0, cancelled: Int = 0, expired: Int = 0) {
            self.held = held
            self.confirmed = confirmed
            self.cancelled = cancelled
            self.expired = expired
        }
    }

    /// What became of holds (bookings placed as HELD).
    public struct Holds: Codable, Equatable, Sendable {
        public var placed = 0
        public var confirmed = 0
        public var cancelled = 0
        public var expired = 0
        /// Total and longest time from hold to confirmation.
        public var confirmMsTotal: Double = 0
        public var confirmMsMax: Double = 0

        public init() {}
    }

    /// Activity in one minute (UTC) of the log.
    public struct Minute: Codable, Equatable, Sendable {
        public var minute: Date
        public var placed = 0
        public var confirmed = 0
        public var cancelled = 0
        public var expired = 0
        /// Seats or tickets confirmed (sold) in the minute, and their amount.
        public var units = 0
        public var revenue: Decimal = 0
        /// Tickets first used at the door in the minute (nil: none).
        public var arrivals: Int?

        public init(minute: Date) { self.minute = minute }
    }

    /// Offers of freed places to waiters (`SeatsOffered`): made, and then accepted (confirmed), declined
    /// (cancelled) or lapsed (`OfferExpired`).
    public struct Offers: Codable, Equatable, Sendable {
        public var made = 0
        public var accepted = 0
        public var declined = 0
        public var lapsed = 0

        public init() {}

        public func adding(made: Int = 0, accepted: Int = 0, declined: Int = 0, lapsed: Int = 0) -> Offers {
            var sum = self
            sum.made += made
            sum.accepted += accepted
            sum.declined += declined
            sum.lapsed += lapsed
            return sum
        }
    }

    /// Minutes of history kept per session.
    public static let minutesKept = 60

    public var sessionId: String
    public var title: String
    public var kind: SessionKind
    public var startsAt: Date?
    /// Seats or GA places in the session.
    public var capacity: Int
    /// Units currently held and booked (confirmed).
    public var held = 0
    public var booked = 0
    /// Seats kept back from sale in blocks (nil: never any): not part of what occupancy is measured against.
    public var blocked: Int?
    /// Buyers on the waiting list now, and what became of the offers made to them (nil: never any).
    public var waiting: Int?
    public var offers: Offers?
    /// Buyers who joined the on-sale's waiting room, and how many of them were admitted (nil: no room).
    public var queued: Int?
    public var admitted: Int?
    /// The room's admission rate.
    public var admitPerMinute: Int?
    /// Tickets used at the door, and offline scans of tickets already used (nil: none yet).
    public var checkedIn: Int?
    public var doubleEntries: Int?
    public var bookings = StatusCounts()
    public var holds = Holds()
    /// Amount of the confirmed bookings still standing.
    public var revenue: Decimal = 0
    public var minutes: [Minute] = []
    public var version: Int
}

/// `kpi-bookings` document: what the KPIs need to know about one booking when it changes.
/// One small document per booking keeps the per-session document small however many bookings it has.
public struct BookingKPI: Codable, Equatable, Sendable {
    public var status: BookingStatus
    /// The status before the last event: lets a redelivered event be counted correctly when a store
    /// without multi-document transactions wrote this document but not the session's.
    public var previous: BookingStatus?
    public var units: Int
    public var amount: Decimal
    public var placedAt: Date
    /// Places offered to a waiter.
    public var offered: Bool?
}
