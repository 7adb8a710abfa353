import Commands
import Foundation

/// The session a ticket admits to, as a scanner and a ticket show it.
struct ScanSession: Codable, Sendable {
    var id: String
    var title: String
    var startsAt: Date?
    var hall: String?

    init(_ session: SessionScheduled) {
        id = session.sessionId
        title = session.title
        startsAt = session.startsAt
        hall = session.hall?.name
    }
}

/// `GET /bookings/:id/tickets`: every ticket of a booking with its secret and QR code.
struct BookingTickets: Codable, Sendable {
    struct Item: Codable, Sendable {
        var id: String
        var status: Status
        var seat: String?
        var row: String?
        var number: Int?
        var sectionId: String?
        /// What the QR code carries; the scanner sends it to `POST /checkin`.
        var secret: String
        var qrSvg: String?
        var checkedInAt: Date?
        var gate: String?

        enum Status: String, Codable, Sendable {
            case valid = "VALID"
            case used = "USED"
            case voided = "VOIDED"
        }

        init(_ ticket: Ticket, secret: String, seat: SeatInfo?) {
            id = ticket.id
            status = ticket.voidedAt != nil ? .voided : ticket.entry != nil ? .used : .valid
            self.seat = ticket.seat
            row = seat?.row
            number = seat?.number
            sectionId = ticket.sectionId ?? seat?.sectionId
            self.secret = secret
            qrSvg = status == .voided ? nil : QRCode.svg(secret)
            checkedInAt = ticket.entry?.at
            gate = ticket.entry?.gate
        }
    }

    var bookingId: String
    var status: BookingStatus
    var session: ScanSession
    var tickets: [Item]
}

/// What a scanner is told about one scan. No booking id: a guest's booking id is a credential.
struct ScanAnswer: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var at: Date
        var gate: String

        init(_ entry: TicketEntry) {
            at = entry.at
            gate = entry.gate
        }
    }

    var scanId: String
    var verdict: ScanVerdict
    var ticket: String? = nil
    var seat: String? = nil
    var sectionId: String? = nil
    var session: ScanSession? = nil
    /// For a ticket used before this scan: its first entry.
    var firstEntry: Entry? = nil
}

/// `GET /sessions/:id/checkins`.
struct SessionCheckins: Codable, Sendable {
    struct Gate: Codable, Sendable {
        var scans = 0
        var doubleEntries = 0

        mutating func record(double: Bool) {
            scans += 1
            if double { doubleEntries += 1 }
        }
    }

    struct DoubleEntry: Codable, Sendable {
        var ticket: String
        var gate: String
        var scannedAt: Date
        var firstGate: String?
        var firstScannedAt: Date?
    }

    var sessionId: String
    /// Valid (not voided) tickets, and how many of them were used.
    var tickets = 0
    var checkedIn = 0
    var gates: [String: Gate] = [:]
    var doubleEntries: [DoubleEntry] = []
    var position: Int64

    init(sessionId: String, position: Int64) {
        self.sessionId = sessionId
        self.position = position
    }
}
