import Commands
import EventStore
import Foundation
import Hummingbird

/// Waiting lists of sold-out sessions: join with a count, see your place, leave (user token, or the
/// admin naming the user). Offers of freed places are bookings: accepted with `POST /offers/:id/accept`.
struct WaitlistRoutes: Sendable {
    let intake: CommandIntake
    let catalogue: CatalogueService
    let reads: Reads
    let offerTTL: TimeInterval
    let maxCount: Int

    var routes: [Route] {
        [
            Route(.post, "/sessions/:id/waitlist") { request, context in try await join(request, context, sessionId: try context.id("id")) },
            Route(.get, "/sessions/:id/waitlist") { request, context in try await show(request, sessionId: try context.id("id")) },
            Route(.delete, "/sessions/:id/waitlist") { request, context in try await leave(request, context, sessionId: try context.id("id")) },
        ]
    }

    private func join(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(WaitlistRequest.self)
        guard (1...maxCount).contains(body.count) else { throw APIError.invalidRequest("count must be 1 to \(maxCount)") }
        if let section = body.sectionId, !Identifiers.isSane(section, maxLength: 64) { throw DomainError.notFound("section") }
        let userId = try command.principal.acting(for: body.userId)
        let waiter = Waiter(userId: userId, count: body.count, sectionId: body.sectionId, offerTTL: offerTTL, joinedAt: Date())
        return try await run(.joinWaitlist(waiter), sessionId, command, status: .created)
    }

    private func leave(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let userId = try command.principal.acting(for: request.uri.queryParameters["userId"].map(String.init))
        return try await run(.leaveWaitlist(userId: userId), sessionId, command, status: .ok)
    }

    /// A user sees their own place and open offers; the admin sees the whole line.
    private func show(_ request: Request, sessionId: String) async throws -> Response {
        let principal = try await intake.auth.principal(request)
        let latest = try await reads.sessions.latest(of: Streams.session(sessionId))
        guard latest.state.session != nil else { throw DomainError.notFound("session") }
        let headers: HTTPFields = [.xReadModelPosition: String(latest.position)]
        guard case .user(let userId) = principal else {
            let line = latest.state.waitlist.enumerated().map { WaiterBody($1, sessionId: sessionId, place: $0 + 1, waiting: nil) }
            return JSONResponse.make(status: .ok, body: QueryRoutes.List(items: line, nextCursor: nil), headers: headers)
        }
        let offers = latest.state.bookings.values
            .filter { $0.userId == userId && $0.offered == true && $0.status == .held }
            .sorted { $0.createdAt < $1.createdAt }
            .map { BookingBody($0, sessionId: sessionId, position: latest.position, remaining: nil) }
        let entry = latest.state.waitlist.first { $0.userId == userId }
        guard entry != nil || !offers.isEmpty else { throw DomainError.notFound("waiting list entry") }
        return JSONResponse.make(
            status: .ok,
            body: WaitingBody(
                entry: entry.map {
                    WaiterBody($0, sessionId: sessionId, place: latest.state.waitingPosition(of: userId), waiting: latest.state.waitlist.count)
                }, offers: offers), headers: headers)
    }

    private func run(_ change: SessionCommand, _ sessionId: String, _ command: CommandRequest, status: HTTPResponse.Status) async throws -> Response {
        try await catalogue.respond(change, on: sessionId, command, store: intake.store, status: status) { outcome, position in
            outcome.waiter.map { WaiterBody($0, sessionId: sessionId, place: outcome.place, waiting: outcome.waiting, position: position) }
                ?? WaiterBody.left(sessionId: sessionId, waiting: outcome.waiting ?? 0, position: position)
        }
    }
}
