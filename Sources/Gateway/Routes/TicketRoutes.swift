import Commands
import EventStore
import Foundation
import Hummingbird

/// Tickets and the door: a booking's tickets for its holder (JSON, or a printable page), door scanners
/// made by the admin, scans online and uploaded, and the session's check-in report (ADR 0020).
struct TicketRoutes: Sendable {
    let intake: CommandIntake
    let tickets: TicketService
    let accounts: Accounts
    let clock: @Sendable () -> Date

    /// Most scans in one upload (200 full scans fit well within the 64 KiB body limit; a scanner with more
    /// sends several), and the longest gate name or scan id.
    static let maxBatch = 200
    static let maxField = 64

    var routes: [Route] {
        [
            Route(.get, "/bookings/:id/tickets") { request, context in try await bookingTickets(request, try context.id("id")) },
            Route(.post, "/scanners") { request, context in try await createScanner(request, context) },
            Route(.post, "/checkin") { request, context in try await checkIn(request, context) },
            Route(.post, "/checkin/batch") { request, context in try await upload(request, context) },
            Route(.get, "/sessions/:id/checkins") { request, context in try await checkins(request, try context.id("id")) },
        ]
    }

    private func bookingTickets(_ request: Request, _ bookingId: String) async throws -> Response {
        let principal = try await intake.auth.principal(request, guests: true)
        let answer = try await tickets.tickets(of: bookingId, for: principal)
        switch request.uri.queryParameters["format"] {
        case nil, "json": return JSONResponse.make(status: .ok, body: answer)
        case "html":
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            // The page shows secrets: no cache keeps it, and it runs no script.
            headers[.cacheControl] = "no-store"
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: TicketPage.html(answer))))
        default: throw APIError.invalidRequest("format must be json or html")
        }
    }

    private func createScanner(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(ScannerRequest.self)
        try LayoutRules.name(body.name, field: "name")
        if let sessionId = body.sessionId {
            guard Identifiers.isSane(sessionId) else { throw APIError.invalidRequest("sessionId is malformed") }
            try await tickets.requireSession(sessionId)
        }
        let (scanner, token) = try await accounts.createScanner(
            name: body.name, sessionId: body.sessionId, now: clock(), metadata: command.metadata)
        return JSONResponse.make(
            status: .created,
            body: ScannerBody(id: scanner.scannerId, name: scanner.name, sessionId: scanner.sessionId, token: token, createdAt: scanner.createdAt))
    }

    private func checkIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let scanner = try await intake.auth.scanner(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake, open: true)
        let body = try command.decode(CheckinRequest.self)
        let scan = try Self.scan(secret: body.secret, gate: body.gate, scanId: body.scanId, at: clock())
        let answer = try await tickets.checkIn([scan], by: scanner, online: true, metadata: metadata(command, scanner))[0]
        return JSONResponse.make(status: .ok, body: answer)
    }

    private func upload(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let scanner = try await intake.auth.scanner(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake, open: true)
        let body = try command.decode(CheckinBatchRequest.self)
        guard (1...Self.maxBatch).contains(body.scans.count) else {
            throw APIError.invalidRequest("scans must hold 1 to \(Self.maxBatch) scans")
        }
        let now = clock()
        let scans = try body.scans.map { scan in
            let at = try RequestDates.parse(scan.scannedAt, field: "scannedAt")
            // A scanner's clock may run a little ahead; a scan from the future is a wrong clock.
            guard at <= now.addingTimeInterval(300) else { throw APIError.invalidRequest("scannedAt is in the future") }
            return try Self.scan(secret: scan.secret, gate: scan.gate, scanId: scan.scanId, at: at)
        }
        let answers = try await tickets.checkIn(scans, by: scanner, online: false, metadata: metadata(command, scanner))
        return JSONResponse.make(status: .ok, body: ["results": answers])
    }

    private func checkins(_ request: Request, _ sessionId: String) async throws -> Response {
        try await intake.auth.requireAdmin(request)
        let report = try await tickets.checkins(of: sessionId)
        return JSONResponse.make(status: .ok, body: report, headers: [.xReadModelPosition: String(report.position)])
    }

    private func metadata(_ command: CommandRequest, _ scanner: Scanner) -> EventMetadata {
        var metadata = command.metadata
        metadata.userId = scanner.id
        return metadata
    }

    private static func scan(secret: String, gate: String, scanId: String, at: Date) throws -> TicketService.Scan {
        guard Identifiers.isSane(scanId, maxLength: maxField) else {
            throw APIError.invalidRequest("scanId must be 1 to \(maxField) printable characters")
        }
        try LayoutRules.name(gate, field: "gate")
        guard gate.count <= maxField else { throw APIError.invalidRequest("gate is longer than \(maxField) characters") }
        guard !secret.isEmpty, secret.utf8.count <= 200 else { throw APIError.invalidRequest("secret must be 1 to 200 characters") }
        return TicketService.Scan(secret: secret, gate: gate.trimmingCharacters(in: .whitespaces), scanId: scanId, scannedAt: at)
    }
}

/// `POST /scanners`: the token is shown once, here.
struct ScannerBody: Encodable {
    var id: String
    var name: String
    var sessionId: String?
    var token: String
    var createdAt: Date
}
