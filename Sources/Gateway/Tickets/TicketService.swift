import Commands
import EventStore
import Foundation

/// Tickets of a booking for its holder, and door scans: a scan's secret names a ticket, the log's index
/// finds its session, and the session's decider admits it (so two gates never both let one ticket in).
struct TicketService: Sendable {
    let sessions: CommandHandler<SessionDecider>
    let locator: BookingLocator
    let secrets: TicketSecrets
    let store: any EventStore
    let window: CheckinWindow

    /// A booking's tickets with their secrets, for its holder: the admin, the user who booked, or (a guest's
    /// booking) whoever has its id.
    func tickets(of bookingId: String, for principal: Principal) async throws -> BookingTickets {
        let sessionId = try await locator.sessionId(of: bookingId)
        let state = try await sessions.latest(of: Streams.session(sessionId)).state
        guard let booking = state.bookings[bookingId], let session = state.session else { throw DomainError.notFound("booking") }
        try principal.mayRead(bookingOf: booking.userId, guestName: booking.guestName)
        var tickets: [BookingTickets.Item] = []
        for ticket in state.tickets(of: bookingId) {
            tickets.append(
                BookingTickets.Item(ticket, secret: try await secrets.secret(of: ticket.id), seat: ticket.seat.flatMap { state.seats[$0] }))
        }
        return BookingTickets(bookingId: bookingId, status: booking.status, session: ScanSession(session), tickets: tickets)
    }

    /// Scans in the order given: each secret's ticket is found, scans are grouped by session and each group
    /// decided at once. A secret that names no ticket, or a ticket of a session the scanner may not admit
    /// to, is answered without being recorded.
    func checkIn(_ scans: [Scan], by scanner: Scanner, online: Bool, metadata: EventMetadata) async throws -> [ScanAnswer] {
        var answers = [ScanAnswer?](repeating: nil, count: scans.count)
        var bySession: [String: [(index: Int, scan: TicketScan)]] = [:]
        for (index, scan) in scans.enumerated() {
            guard let ticketId = try await secrets.ticketId(of: scan.secret), let issued = try await store.lookup(.ticketId, ticketId) else {
                if online { throw DomainError.notFound("ticket") }
                answers[index] = ScanAnswer(scanId: scan.scanId, verdict: .notFound)
                continue
            }
            let sessionId = Streams.sessionId(ofStream: issued.streamId)
            if let only = scanner.sessionId, only != sessionId {
                if online { throw DomainError.wrongSession("this scanner admits to session \(only) only") }
                answers[index] = ScanAnswer(scanId: scan.scanId, verdict: .wrongSession)
                continue
            }
            bySession[sessionId, default: []].append(
                (index, TicketScan(ticketId: ticketId, gate: scan.gate, scanId: scan.scanId, scannerId: scanner.id, scannedAt: scan.scannedAt)))
        }
        for (sessionId, group) in bySession.sorted(by: { $0.key < $1.key }) {
            let result = try await sessions.execute(
                .checkIn(scans: group.map(\.scan), online: online, window: window), on: Streams.session(sessionId), metadata: metadata,
                idempotency: nil)
            let session = result.outcome.session.map(ScanSession.init)
            for ((index, scan), outcome) in zip(group, result.outcome.scans ?? []) {
                answers[index] = ScanAnswer(
                    scanId: scan.scanId, verdict: outcome.verdict, ticket: outcome.ticket.map(\.id), seat: outcome.ticket?.seat,
                    sectionId: outcome.ticket?.sectionId, session: session,
                    firstEntry: outcome.verdict == .admitted ? nil : outcome.ticket?.entry.map(ScanAnswer.Entry.init))
            }
        }
        return answers.map { $0! }
    }

    /// 404 unless the session exists (a scanner limited to it would admit nobody).
    func requireSession(_ sessionId: String) async throws {
        guard try await sessions.latest(of: Streams.session(sessionId)).state.session != nil else { throw DomainError.notFound("session") }
    }

    /// The door so far, from the session's stream: who came in, through which gate, and the double entries.
    func checkins(of sessionId: String) async throws -> SessionCheckins {
        let latest = try await sessions.latest(of: Streams.session(sessionId))
        let state = latest.state
        guard state.session != nil else { throw DomainError.notFound("session") }
        var report = SessionCheckins(sessionId: sessionId, position: latest.position)
        for ticket in state.ticketsById.values where ticket.voidedAt == nil {
            report.tickets += 1
            if ticket.entry != nil { report.checkedIn += 1 }
        }
        for scan in state.scans.values {
            report.gates[scan.gate, default: SessionCheckins.Gate()].record(double: scan.doubleEntry)
            if scan.doubleEntry {
                let first = state.ticketsById[scan.ticketId]?.entry
                report.doubleEntries.append(
                    SessionCheckins.DoubleEntry(
                        ticket: scan.ticketId, gate: scan.gate, scannedAt: scan.scannedAt, firstGate: first?.gate, firstScannedAt: first?.at))
            }
        }
        report.doubleEntries.sort { ($0.scannedAt, $0.ticket) < ($1.scannedAt, $1.ticket) }
        return report
    }

    /// One scan as a scanner sends it.
    struct Scan: Sendable {
        var secret: String
        var gate: String
        var scanId: String
        var scannedAt: Date
    }
}
