import Commands
import EventStore
import Foundation

/// Booking KPIs per session: bookings by status, hold→confirm conversion and time, expired holds,
/// occupancy, and sales per minute. Counted from the events, so they can be rebuilt and audited.
public struct KPIProjection: Projection {
    public static let sessions = Collection(projection: "kpis", name: "kpi-sessions")

    public let name = "kpis"
    public let eventTypes = ["SessionScheduled", "BookingPlaced", "BookingConfirmed", "BookingCancelled", "HoldExpired"]

    public init() {}

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        [DocumentKey(Self.sessions, SessionProjection.sessionId(of: event))]
    }

    public func apply(_ event: StoredEvent, to documents: inout DocumentSet) throws {
        let key = keys(for: event)[0]
        let version = Int64(event.version)
        guard documents.version(of: key) < version,
              let decoded = try SessionEvent.decode(type: event.type, data: event.data) else { return }
        if case .scheduled(let scheduled) = decoded {
            let capacity = scheduled.seatSections.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.seats } }
                + scheduled.gaSections.reduce(0) { $0 + $1.capacity }
            documents.put(key, SessionKPI(sessionId: scheduled.sessionId, title: scheduled.title, kind: scheduled.kind,
                                          startsAt: scheduled.startsAt, capacity: capacity, version: event.version),
                          version: version)
            return
        }
        guard var kpi = try documents.get(key, as: SessionKPI.self) else { return }
        kpi.record(decoded, at: event.recordedAt)
        kpi.version = event.version
        documents.put(key, kpi, version: version)
    }
}

extension SessionKPI {
    mutating func record(_ event: SessionEvent, at recordedAt: Date) {
        switch event {
        case .scheduled:
            return
        case .bookingPlaced(let placed):
            let units = placed.seats?.count ?? placed.qty ?? 0
            open[placed.bookingId] = Open(status: placed.status, units: units, amount: placed.amount, placedAt: placed.createdAt)
            minute(recordedAt) { $0.placed += 1 }
            if placed.status == .held {
                held += units
                bookings.held += 1
                holds.placed += 1
            } else {
                sold(units, placed.amount, at: recordedAt)
            }
        case .bookingConfirmed(let change):
            guard var booking = open[change.bookingId], booking.status == .held else { return }
            held -= booking.units
            bookings.held -= 1
            holds.confirmed += 1
            let waited = max(0, change.at.timeIntervalSince(booking.placedAt) * 1_000)
            holds.confirmMsTotal += waited
            holds.confirmMsMax = max(holds.confirmMsMax, waited)
            booking.status = .confirmed
            open[change.bookingId] = booking
            minute(recordedAt) { $0.confirmed += 1 }
            sold(booking.units, booking.amount, at: recordedAt)
        case .bookingCancelled(let change):
            guard let booking = open.removeValue(forKey: change.bookingId) else { return }
            release(booking)
            bookings.cancelled += 1
            if booking.status == .held { holds.cancelled += 1 }
            minute(recordedAt) { $0.cancelled += 1 }
        case .holdExpired(let change):
            guard let booking = open.removeValue(forKey: change.bookingId) else { return }
            release(booking)
            bookings.expired += 1
            holds.expired += 1
            minute(recordedAt) { $0.expired += 1 }
        }
    }

    private mutating func sold(_ units: Int, _ amount: Decimal, at recordedAt: Date) {
        booked += units
        bookings.confirmed += 1
        revenue += amount
        minute(recordedAt) { $0.units += units; $0.revenue += amount }
    }

    private mutating func release(_ booking: Open) {
        if booking.status == .held {
            held -= booking.units
            bookings.held -= 1
        } else {
            booked -= booking.units
            bookings.confirmed -= 1
            revenue -= booking.amount
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
