import Commands
import EventStore
import Foundation
import Hummingbird
import Projections

/// `GET /kpis` (request figures of this gateway joined with the booking KPIs projected from the log)
/// and `GET /metrics` (Prometheus text). Public: aggregates only, nothing about any one user.
struct KPIRoutes: Sendable {
    let monitoring: Monitoring

    /// Most sessions summed into one answer; a deployment with more shows `sessionsTruncated`.
    static var maxSessions: Int { 10_000 }
    /// Sessions listed individually (the busiest first).
    static var listedSessions: Int { 50 }
    /// The busiest sessions whose lone free seats are counted (the dashboard draws twelve).
    static var sessionsWithSeats: Int { 12 }

    var routes: [Route] {
        [
            Route(.get, "/kpis") { _, _ in try await kpis() },
            Route(.get, "/metrics") { _, _ in
                let text =
                    monitoring.metrics.prometheusText(commands: monitoring.commands)
                    + (await OperationalMetrics(monitoring: monitoring).text())
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            },
        ]
    }

    struct KPIs: Encodable {
        var generatedAt: Date
        var gatewayId: String
        var uptimeSeconds: Double
        var requests: RequestKPIs
        var bookings: BookingKPIs
        var sessions: [SessionOccupancy]
        var sessionsTruncated: Bool
        var projections: [ProjectionLag]
    }

    private func kpis() async throws -> Response {
        let requests = monitoring.metrics.snapshot(commands: monitoring.commands)
        // Lags first: the documents read after them are at least as new as the positions reported.
        let lags = try await monitoring.reads.projectionLags()
        let (sessions, truncated) = try await Self.sessionKPIs(monitoring.reads)
        var listed = sessions.sorted { ($0.held + $0.booked, $1.sessionId) > ($1.held + $1.booked, $0.sessionId) }
            .prefix(Self.listedSessions).map(SessionOccupancy.init)
        // Lone seats need the seats, which only the live session has: asked for the sessions the dashboard draws.
        let now = Date()
        for index in listed.indices.prefix(Self.sessionsWithSeats) where listed[index].kind == .seated {
            listed[index].strandedSingles = try await monitoring.reads.sessions.latest(of: Streams.session(listed[index].id))
                .state.loneFreeSeats(at: now)
        }
        return JSONResponse.make(
            status: .ok,
            body: KPIs(
                generatedAt: Date(), gatewayId: monitoring.gatewayId, uptimeSeconds: monitoring.metrics.uptimeSeconds,
                requests: requests, bookings: BookingKPIs(sessions), sessions: listed, sessionsTruncated: truncated,
                projections: lags))
    }
}

extension KPIRoutes {
    /// The booking KPIs of up to `maxSessions` sessions, and whether there were more.
    static func sessionKPIs(_ reads: Reads) async throws -> (sessions: [SessionKPI], truncated: Bool) {
        var sessions: [SessionKPI] = []
        var cursor: String?
        repeat {
            let page = try await reads.models.sessionKPIs(limit: 1_000, cursor: cursor)
            sessions += page.items
            cursor = page.nextCursor
        } while cursor != nil && sessions.count < maxSessions
        return (sessions, cursor != nil)
    }
}

/// Booking KPIs summed over sessions.
struct BookingKPIs: Encodable {
    struct Holds: Encodable {
        var placed = 0, confirmed = 0, cancelled = 0, expired = 0, open = 0
        var conversion: Double?
        var timeToConfirmMs: ConfirmTime
    }

    struct ConfirmTime: Encodable {
        var count: Int
        var avg: Double?
        var max: Double?
    }

    var byStatus: [String: Int]
    var holds: Holds
    /// Buyers waiting for sold-out sessions now, and what became of the places offered to them.
    var waitlist: Waitlist

    struct Waitlist: Encodable {
        var waiting = 0
        var offers = SessionKPI.Offers()
    }

    /// On-sales' waiting rooms: buyers queued, and how many of them were admitted so far.
    var waitingRooms: WaitingRooms

    struct WaitingRooms: Encodable {
        var queued = 0
        var admitted = 0
        /// Admissions per minute of all rooms together.
        var admitPerMinute = 0
    }
    /// Tickets used at the door, and offline scans of tickets already used.
    var door: Door

    struct Door: Encodable {
        var checkedIn = 0
        var doubleEntries = 0
    }
    var unitsSold: Int
    var revenue: Decimal
    /// Sales, and arrivals at the door (`arrivals`), per minute.
    var salesPerMinute: [SessionKPI.Minute]

    /// Minutes of sales history answered.
    static let minutesShown = 60

    init(_ sessions: [SessionKPI]) {
        var counts = SessionKPI.StatusCounts()
        var holds = SessionKPI.Holds()
        var minutes: [Date: SessionKPI.Minute] = [:]
        var unitsSold = 0
        var revenue: Decimal = 0
        var waitlist = Waitlist()
        var rooms = WaitingRooms()
        var door = Door()
        for session in sessions {
            door.checkedIn += session.checkedIn ?? 0
            door.doubleEntries += session.doubleEntries ?? 0
            counts.held += session.bookings.held
            counts.confirmed += session.bookings.confirmed
            counts.cancelled += session.bookings.cancelled
            counts.expired += session.bookings.expired
            holds.placed += session.holds.placed
            holds.confirmed += session.holds.confirmed
            holds.cancelled += session.holds.cancelled
            holds.expired += session.holds.expired
            holds.confirmMsTotal += session.holds.confirmMsTotal
            holds.confirmMsMax = Swift.max(holds.confirmMsMax, session.holds.confirmMsMax)
            unitsSold += session.booked
            waitlist.waiting += session.waiting ?? 0
            rooms.queued += session.queued ?? 0
            rooms.admitted += session.admitted ?? 0
            rooms.admitPerMinute += session.admitPerMinute ?? 0
            if let offers = session.offers {
                waitlist.offers = waitlist.offers.adding(
                    made: offers.made, accepted: offers.accepted, declined: offers.declined, lapsed: offers.lapsed)
            }
            revenue += session.revenue
            for minute in session.minutes {
                var total = minutes[minute.minute] ?? SessionKPI.Minute(minute: minute.minute)
                total.placed += minute.placed
                total.confirmed += minute.confirmed
                total.cancelled += minute.cancelled
                total.expired += minute.expired
                total.units += minute.units
                total.revenue += minute.revenue
                if let arrivals = minute.arrivals { total.arrivals = (total.arrivals ?? 0) + arrivals }
                minutes[minute.minute] = total
            }
        }
        byStatus = [
            BookingStatus.held.rawValue: counts.held, BookingStatus.confirmed.rawValue: counts.confirmed,
            BookingStatus.cancelled.rawValue: counts.cancelled, BookingStatus.expired.rawValue: counts.expired,
        ]
        // Conversion counts decided holds only: one still open has not converted or failed yet.
        let decided = holds.confirmed + holds.cancelled + holds.expired
        self.holds = Holds(
            placed: holds.placed, confirmed: holds.confirmed, cancelled: holds.cancelled, expired: holds.expired,
            open: counts.held, conversion: decided == 0 ? nil : (Double(holds.confirmed) / Double(decided) * 10_000).rounded() / 10_000,
            timeToConfirmMs: ConfirmTime(
                count: holds.confirmed,
                avg: holds.confirmed == 0 ? nil : (holds.confirmMsTotal / Double(holds.confirmed)).rounded(),
                max: holds.confirmed == 0 ? nil : holds.confirmMsMax.rounded()))
        self.waitlist = waitlist
        waitingRooms = rooms
        self.door = door
        self.unitsSold = unitsSold
        self.revenue = revenue
        salesPerMinute = minutes.values.sorted { $0.minute < $1.minute }.suffix(Self.minutesShown)
    }
}

/// One session's occupancy.
struct SessionOccupancy: Encodable {
    var id: String
    var title: String
    var kind: SessionKind
    var startsAt: Date?
    var capacity: Int
    var held: Int
    var booked: Int
    /// Seats kept back from sale in blocks: occupancy is `booked` out of `capacity` less these.
    var blocked: Int
    /// Buyers on the session's waiting list.
    var waiting: Int
    var occupancy: Double
    /// Free seats no pair can buy (a taken seat or the row's end on both sides); seated sessions only.
    var strandedSingles: Int?

    init(_ kpi: SessionKPI) {
        id = kpi.sessionId
        title = kpi.title
        kind = kpi.kind
        startsAt = kpi.startsAt
        capacity = kpi.capacity
        held = kpi.held
        booked = kpi.booked
        blocked = kpi.blocked ?? 0
        waiting = kpi.waiting ?? 0
        let onSale = kpi.capacity - blocked
        occupancy = onSale <= 0 ? 0 : (Double(kpi.booked) / Double(onSale) * 10_000).rounded() / 10_000
    }
}
