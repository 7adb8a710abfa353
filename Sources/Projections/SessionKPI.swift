import Commands
import Foundation

/// `kpi-sessions` document: what happened to one session's bookings, counted from its events.
/// Everything the KPIs need lives in this one document per session, so it commits atomically with its
/// version guard on any store, and `GET /kpis` sums these documents.
public struct SessionKPI: Codable, Equatable, Sendable {
    /// Bookings by their current status.
    public struct StatusCounts: Codable, Equatable, Sendable {
        public var held = 0
        public var confirmed = 0
        public var cancelled = 0
        public var expired = 0

        public init() {}
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

        public init(minute: Date) { self.minute = minute }
    }

    /// A booking still occupying seats or tickets: enough to move the counts when it changes.
    public struct Open: Codable, Equatable, Sendable {
        public var status: BookingStatus
        public var units: Int
        public var amount: Decimal
        public var placedAt: Date
    }

    /// Minutes of history kept per session.
    public static let minutesKept = 180

    public var sessionId: String
    public var title: String
    public var kind: SessionKind
    public var startsAt: Date?
    /// Seats or GA places in the session.
    public var capacity: Int
    /// Units currently held and booked (confirmed).
    public var held = 0
    public var booked = 0
    public var bookings = StatusCounts()
    public var holds = Holds()
    /// Amount of the confirmed bookings still standing.
    public var revenue: Decimal = 0
    public var minutes: [Minute] = []
    public var open: [String: Open] = [:]
    public var version: Int
}
