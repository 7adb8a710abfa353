import Commands
import EventStore
import Foundation

/// Booking KPIs per session: bookings by status, hold→confirm conversion and time, expired holds,
/// occupancy, and sales per minute. Counted from the events, so they can be rebuilt and audited.
public struct KPIProjection: ReadModel {
    public static let sessions = Collection(projection: "kpis", name: "kpi-sessions")
    public static let bookings = Collection(projection: "kpis", name: "kpi-bookings")

    public let name = "kpis"

    public init() {}

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        let session = DocumentKey(Self.sessions, SessionProjection.sessionId(of: event))
        guard let booking = SessionProjection.bookingId(in: event) else { return [session] }
        return [session, DocumentKey(Self.bookings, booking)]
    }

    public func createdKeys(for event: StoredEvent) -> [DocumentKey] { SessionProjection.placedBooking(event, in: Self.bookings) }

    public func streamKeys(for event: StoredEvent) -> [DocumentKey] {
        [DocumentKey(Self.sessions, SessionProjection.sessionId(of: event))]
    }

    public func evolve(_ documents: inout DocumentSet, _ decoded: SessionEvent, _ event: StoredEvent) throws {
        let keys = keys(for: event)
        let version = Int64(event.version)
        func behind(_ key: DocumentKey) -> Bool { documents.version(of: key) < version }
        if case .scheduled(let scheduled) = decoded {
            let capacity =
                scheduled.seatSections.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.seats } }
                + scheduled.gaSections.reduce(0) { $0 + $1.capacity }
            documents.put(
                keys[0],
                SessionKPI(
                    sessionId: scheduled.sessionId, title: scheduled.title, kind: scheduled.kind,
                    startsAt: scheduled.startsAt, capacity: capacity, version: event.version),
                version: version)
            return
        }
        if decoded.isAboutTheSessionOnly {
            // Sales settings and blocks: no booking moves; the session's KPIs take the version so they do
            // not look behind, and blocked seats leave the capacity occupancy is measured against.
            guard behind(keys[0]) else { return }
            var summary = try documents.require(keys[0], as: SessionKPI.self, for: event)
            if let (seats, blocked) = decoded.setsAside { summary.blocked = (summary.blocked ?? 0) + (blocked ? 1 : -1) * seats.count }
            if case .waitlistJoined = decoded { summary.waiting = (summary.waiting ?? 0) + 1 }
            if case .waitlistLeft = decoded { summary.waiting = (summary.waiting ?? 0) - 1 }
            if case .waitingRoomOpened(let opened) = decoded { summary.admitPerMinute = opened.admitPerMinute }
            if case .queueJoined = decoded { summary.queued = (summary.queued ?? 0) + 1 }
            if case .admitted(let admitted) = decoded { summary.admitted = (summary.admitted ?? 0) + admitted.userIds.count }
            if case .ticketCheckedIn(let scan) = decoded { summary.arrive(scan) }
            summary.version = event.version
            documents.put(keys[0], summary, version: version)
            return
        }
        guard keys.count == 2 else { return }
        var summary = try documents.require(keys[0], as: SessionKPI.self, for: event)
        let stored = try documents.get(keys[1], as: BookingKPI.self)
        if stored == nil, decoded.changesABooking { throw MissingDocument(key: keys[1], event: event) }
        // The session's counts move from the booking as it stood before this event. Stores write session
        // KPIs before booking KPIs (`MongoLayout.commitOrder`), so a booking document that already has this
        // event comes with counts that have it too. Counts written in the older order (bookings first) may
        // lag one event behind: the booking recorded the status it came from.
        let before =
            behind(keys[1])
            ? stored
            : stored.flatMap {
                $0.previous == nil
                    ? nil
                    : BookingKPI(
                        status: $0.previous!, previous: nil, units: $0.units, amount: $0.amount, placedAt: $0.placedAt)
            }
        guard let after = BookingKPI.after(decoded, before: before) else { return }
        if behind(keys[0]) {
            summary.record(decoded, before: before, after: after, at: event.recordedAt)
            summary.version = event.version
            documents.put(keys[0], summary, version: version)
        }
        if behind(keys[1]) { documents.put(keys[1], after, version: version) }
    }
}

extension BookingKPI {
    /// The booking after `event`, or nil when the event does not apply to it as it stands.
    static func after(_ event: SessionEvent, before: BookingKPI?) -> BookingKPI? {
        switch event {
        case .bookingPlaced(let placed), .seatsOffered(let placed):
            guard before == nil else { return nil }
            var booking = BookingKPI(
                status: placed.status, previous: nil, units: placed.seats?.count ?? placed.qty ?? 0,
                amount: placed.amount, placedAt: placed.createdAt)
            if case .seatsOffered = event { booking.offered = true }
            return booking
        case .bookingConfirmed, .bookingCancelled, .holdExpired, .offerExpired:
            guard var booking = before, booking.status.isActive, let status = event.resultingStatus else { return nil }
            booking.previous = booking.status
            booking.status = status
            return booking
        case .holdExtended:
            // No count moves; the booking is written again so its version keeps up with the stream.
            guard var booking = before, booking.status == .held else { return nil }
            booking.previous = booking.status
            return booking
        case .scheduled, .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .waitingRoomOpened, .queueJoined,
            .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn:
            return nil
        }
    }
}

extension SessionKPI {
    mutating func record(_ event: SessionEvent, before: BookingKPI?, after: BookingKPI, at recordedAt: Date) {
        if let before { leave(before) }
        enter(after)
        switch event {
        case .bookingPlaced(let placed):
            if placed.blockId != nil { blocked = (blocked ?? 0) - after.units }
            minute(recordedAt) { $0.placed += 1 }
            if after.status == .held { holds.placed += 1 } else { sold(after, at: recordedAt) }
        case .seatsOffered:
            waiting = (waiting ?? 0) - 1
            offers = (offers ?? Offers()).adding(made: 1)
        case .bookingConfirmed where after.offered == true:
            offers = (offers ?? Offers()).adding(accepted: 1)
            minute(recordedAt) { $0.confirmed += 1 }
            sold(after, at: recordedAt)
        case .bookingCancelled where before?.status == .held && after.offered == true:
            offers = (offers ?? Offers()).adding(declined: 1)
            minute(recordedAt) { $0.cancelled += 1 }
        case .offerExpired:
            offers = (offers ?? Offers()).adding(lapsed: 1)
        case .bookingConfirmed(let change):
            holds.confirmed += 1
            let waited = max(0, change.at.timeIntervalSince(after.placedAt) * 1_000)
            holds.confirmMsTotal += waited
            holds.confirmMsMax = max(holds.confirmMsMax, waited)
            minute(recordedAt) { $0.confirmed += 1 }
            sold(after, at: recordedAt)
        case .bookingCancelled:
            if before?.status == .held { holds.cancelled += 1 }
            minute(recordedAt) { $0.cancelled += 1 }
        case .holdExpired:
            holds.expired += 1
            minute(recordedAt) { $0.expired += 1 }
        case .scheduled, .holdExtended, .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .waitingRoomOpened,
            .queueJoined, .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn:
            return
        }
    }

    /// A scan at the door: an arrival in the minute it was scanned, or a double entry.
    mutating func arrive(_ scan: TicketCheckedIn) {
        if scan.doubleEntry == true {
            doubleEntries = (doubleEntries ?? 0) + 1
            return
        }
        checkedIn = (checkedIn ?? 0) + 1
        minute(scan.scannedAt) { $0.arrivals = ($0.arrivals ?? 0) + 1 }
    }

    /// Moves a booking's units and count out of its status.
    private mutating func leave(_ booking: BookingKPI) { count(booking, -1) }
    private mutating func enter(_ booking: BookingKPI) { count(booking, +1) }

    private mutating func count(_ booking: BookingKPI, _ sign: Int) {
        switch booking.status {
        case .held:
            held += sign * booking.units
            bookings.held += sign
        case .confirmed:
            booked += sign * booking.units
            bookings.confirmed += sign
            revenue += Decimal(sign) * booking.amount
        case .cancelled: bookings.cancelled += sign
        case .expired: bookings.expired += sign
        }
    }

    /// Units confirmed now: the sales of the minute.
    private mutating func sold(_ booking: BookingKPI, at recordedAt: Date) {
        minute(recordedAt) {
            $0.units += booking.units
            $0.revenue += booking.amount
        }
    }

    /// Changes the bucket of the minute `date` falls in, keeping the last `minutesKept` minutes.
    private mutating func minute(_ date: Date, _ change: (inout Minute) -> Void) {
        let start = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        if let index = minutes.lastIndex(where: { $0.minute == start }) {
            change(&minutes[index])
            return
        }
        var bucket = Minute(minute: start)
        change(&bucket)
        // Events arrive in log order, so a new minute is almost always the latest one.
        let index = minutes.firstIndex { $0.minute > start } ?? minutes.endIndex
        minutes.insert(bucket, at: index)
        if minutes.count > Self.minutesKept { minutes.removeFirst(minutes.count - Self.minutesKept) }
    }
}
