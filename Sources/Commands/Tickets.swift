import Foundation

/// Payload of `TicketIssued`: one ticket of a confirmed booking, for a seat or one GA place. Its secret
/// is not in the log at all: the gateway derives it from the ticket id with a server key (ADR 0020).
public struct TicketIssued: Codable, Equatable, Sendable {
    public var ticketId: String
    public var bookingId: String
    /// The seat (seated sessions) or the GA section (general admission).
    public var seat: String?
    public var sectionId: String?
    public var at: Date

    public init(ticketId: String, bookingId: String, seat: String?, sectionId: String?, at: Date) {
        self.ticketId = ticketId
        self.bookingId = bookingId
        self.seat = seat
        self.sectionId = sectionId
        self.at = at
    }
}

/// Payload of `TicketVoided`: the booking was cancelled, the ticket no longer admits anyone.
public struct TicketVoided: Codable, Equatable, Sendable {
    public var ticketId: String
    public var bookingId: String
    public var at: Date

    public init(ticketId: String, bookingId: String, at: Date) {
        self.ticketId = ticketId
        self.bookingId = bookingId
        self.at = at
    }
}

/// Payload of `TicketCheckedIn`: one scan at the door that let someone in, or (`doubleEntry`) an offline
/// scan of a ticket already used, recorded because the person is already inside.
public struct TicketCheckedIn: Codable, Equatable, Sendable {
    public var ticketId: String
    public var bookingId: String
    public var gate: String
    /// The scanner's own id for the scan: a retry with the same id changes nothing.
    public var scanId: String
    public var scannerId: String
    /// When the scanner read the ticket (an offline scan is uploaded later).
    public var scannedAt: Date
    public var at: Date
    /// The ticket had already been used when this scan was made (only offline uploads record these).
    public var doubleEntry: Bool?

    public init(
        ticketId: String, bookingId: String, gate: String, scanId: String, scannerId: String, scannedAt: Date, at: Date,
        doubleEntry: Bool? = nil
    ) {
        self.ticketId = ticketId
        self.bookingId = bookingId
        self.gate = gate
        self.scanId = scanId
        self.scannerId = scannerId
        self.scannedAt = scannedAt
        self.at = at
        self.doubleEntry = doubleEntry
    }
}

/// One ticket as the session aggregate knows it.
public struct Ticket: Codable, Equatable, Sendable {
    public var id: String
    public var bookingId: String
    public var seat: String?
    public var sectionId: String?
    public var issuedAt: Date
    public var voidedAt: Date?
    /// The first scan that let its holder in.
    public var entry: TicketEntry?
}

/// Where and when a ticket was first used.
public struct TicketEntry: Codable, Equatable, Sendable {
    public var at: Date
    public var gate: String
    public var scanId: String

    public init(at: Date, gate: String, scanId: String) {
        self.at = at
        self.gate = gate
        self.scanId = scanId
    }
}

/// A scan sent by a door scanner.
public struct TicketScan: Sendable {
    public var ticketId: String
    public var gate: String
    public var scanId: String
    public var scannerId: String
    public var scannedAt: Date

    public init(ticketId: String, gate: String, scanId: String, scannerId: String, scannedAt: Date) {
        self.ticketId = ticketId
        self.gate = gate
        self.scanId = scanId
        self.scannerId = scannerId
        self.scannedAt = scannedAt
    }

    var key: String { RecordedScan.key(scanner: scannerId, scan: scanId) }
}

/// What became of one scan.
public enum ScanVerdict: String, Codable, Sendable {
    /// Let in.
    case admitted = "ADMITTED"
    /// Already used before this (offline) scan: recorded, flagged.
    case doubleEntry = "DOUBLE_ENTRY"
    /// Already used, scanned online: refused, nothing recorded.
    case alreadyCheckedIn = "ALREADY_CHECKED_IN"
    case notFound = "NOT_FOUND"
    case wrongSession = "WRONG_SESSION"
    /// The scanner sent this scan id before, for another ticket: nothing recorded.
    case scanIdReused = "SCAN_ID_REUSED"
}

/// The answer for one scan: the ticket and, when it was already used, its first entry.
public struct ScanResult: Codable, Equatable, Sendable {
    public var scanId: String
    public var verdict: ScanVerdict
    public var ticket: Ticket?
}

/// When a session's doors are open for check-in: `before` its start until `after` it. A session without
/// a start time admits at any time.
public struct CheckinWindow: Sendable, Equatable {
    public var before: TimeInterval
    public var after: TimeInterval

    public init(before: TimeInterval, after: TimeInterval) {
        self.before = before
        self.after = after
    }

    /// Doors open six hours before the start and close six hours after it: a ticket for another day's
    /// session, or for one that is over, is the wrong session.
    public static let standard = CheckinWindow(before: 6 * 3600, after: 6 * 3600)

    func admits(_ startsAt: Date?, at time: Date) -> Bool {
        guard let startsAt else { return true }
        return time >= startsAt.addingTimeInterval(-before) && time <= startsAt.addingTimeInterval(after)
    }
}

/// Tickets: issued in the append that confirms a booking, voided in the one that cancels it, used at the door.
extension SessionDecider {
    /// `events` with each confirmation followed by the tickets it issues and each cancellation of a
    /// confirmed booking by the voiding of its tickets.
    static func withTickets(_ events: [SessionEvent], _ state: SessionState, seed: String?, now: Date) -> [SessionEvent] {
        var out: [SessionEvent] = []
        for event in events {
            out.append(event)
            switch event {
            case .bookingPlaced(let placed) where placed.status == .confirmed:
                out += issue(for: placed.bookingId, seats: placed.seats, sectionId: placed.sectionId, qty: placed.qty, seed: seed, now: now)
            case .bookingConfirmed(let change):
                guard let booking = state.bookings[change.bookingId] else { continue }
                out += issue(for: booking.id, seats: booking.seats, sectionId: booking.sectionId, qty: booking.qty, seed: seed, now: now)
            case .bookingCancelled(let change):
                for ticket in state.tickets(of: change.bookingId) where ticket.voidedAt == nil {
                    out.append(.ticketVoided(TicketVoided(ticketId: ticket.id, bookingId: change.bookingId, at: now)))
                }
            default:
                continue
            }
        }
        return out
    }

    /// Ticket ids are `<seed>-<n>`. The gateway draws the seed at random, so a ticket id says nothing about
    /// its booking (a guest's booking id is a credential, and door staff see ticket ids); without one the
    /// booking id stands in, for callers that never show tickets to anyone else.
    private static func issue(
        for bookingId: String, seats: [String]?, sectionId: String?, qty: Int?, seed: String?, now: Date
    ) -> [SessionEvent] {
        let places: [(seat: String?, section: String?)] =
            if let seats { seats.map { ($0, nil) } } else { Array(repeating: (nil, sectionId), count: qty ?? 0) }
        let prefix = seed ?? "tk-\(bookingId)"
        return places.enumerated().map { index, place in
            .ticketIssued(
                TicketIssued(ticketId: "\(prefix)-\(index + 1)", bookingId: bookingId, seat: place.seat, sectionId: place.section, at: now))
        }
    }

    /// Scans in the order they came. `online`: a ticket already used is refused (409) and nothing is
    /// recorded; offline uploads record it as a double entry, since the person is inside already.
    static func checkIn(
        _ scans: [TicketScan], online: Bool, window: CheckinWindow, _ state: SessionState, now: Date
    ) throws(DomainError) -> [SessionEvent] {
        guard let session = state.session else { throw .notFound("session") }
        var working = state
        var events: [SessionEvent] = []
        for scan in scans {
            if let recorded = working.scans[scan.key] {
                if online && recorded.ticketId != scan.ticketId { throw .invalid("scanId \(scan.scanId) was used for another ticket") }
                continue
            }
            guard let ticket = working.ticketsById[scan.ticketId], ticket.voidedAt == nil else {
                if online { throw .notFound("ticket") }
                continue
            }
            guard window.admits(session.startsAt, at: online ? now : scan.scannedAt) else {
                if online { throw .wrongSession("the session is not open for check-in now") }
                continue
            }
            if let entry = ticket.entry, online { throw .alreadyCheckedIn(at: entry.at, gate: entry.gate) }
            let event = SessionEvent.ticketCheckedIn(
                TicketCheckedIn(
                    ticketId: ticket.id, bookingId: ticket.bookingId, gate: scan.gate, scanId: scan.scanId, scannerId: scan.scannerId,
                    scannedAt: scan.scannedAt, at: now, doubleEntry: ticket.entry == nil ? nil : true))
            evolve(&working, event)
            events.append(event)
        }
        return events
    }

    /// What each scan came to, in the state after the command (a repeated scan id answers as the first time).
    static func results(of scans: [TicketScan], window: CheckinWindow, in state: SessionState) -> [ScanResult] {
        scans.map { scan in
            let ticket = state.ticketsById[scan.ticketId]
            if let recorded = state.scans[scan.key] {
                guard recorded.ticketId == scan.ticketId else { return ScanResult(scanId: scan.scanId, verdict: .scanIdReused, ticket: nil) }
                return ScanResult(scanId: scan.scanId, verdict: recorded.doubleEntry ? .doubleEntry : .admitted, ticket: ticket)
            }
            guard let ticket, ticket.voidedAt == nil else { return ScanResult(scanId: scan.scanId, verdict: .notFound, ticket: nil) }
            guard window.admits(state.session?.startsAt, at: scan.scannedAt) else {
                return ScanResult(scanId: scan.scanId, verdict: .wrongSession, ticket: nil)
            }
            return ScanResult(scanId: scan.scanId, verdict: .alreadyCheckedIn, ticket: ticket)
        }
    }
}

extension SessionState {
    /// The tickets of one booking, in the order they were issued.
    public func tickets(of bookingId: String) -> [Ticket] {
        (ticketsOfBooking[bookingId] ?? []).compactMap { ticketsById[$0] }
    }
}

/// A recorded scan, for answering its retries.
public struct RecordedScan: Equatable, Sendable {
    public var ticketId: String
    public var doubleEntry: Bool
    public var gate: String
    public var scannedAt: Date

    /// Scan ids are the scanner's own: two scanners may use the same one.
    static func key(scanner: String, scan: String) -> String { scanner + "/" + scan }
}
