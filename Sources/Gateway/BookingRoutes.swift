import Commands
import EventStore
import Projections
import Foundation
import Hummingbird

/// Holding, booking, confirming and cancelling (user token, or admin on a user's behalf).
struct BookingRoutes: Sendable {
    let backend: Backend

    var routes: [Route] {
        [
            Route(.post, "/sessions/:id/seats/reserve") { request, context in
                try await reserve(request, context, sessionId: try context.id("id"))
            },
            Route(.post, "/book") { request, context in try await book(request, context) },
            Route(.post, "/bookings/:id/confirm") { request, context in
                try await change(request, context, bookingId: try context.id("id"), confirm: true)
            },
            Route(.post, "/book/confirm") { request, context in
                try await change(request, context, bookingId: nil, confirm: true)
            },
            Route(.post, "/bookings/:id/cancel") { request, context in
                try await change(request, context, bookingId: try context.id("id"), confirm: false)
            },
        ]
    }

    private func reserve(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, backend: backend)
        let body = try command.decode(ReserveRequest.self)
        return try await holdSeats(body.seats, confirm: body.confirm ?? false, userId: body.userId, sessionId: sessionId, command)
    }

    private func book(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, backend: backend)
        let body = try command.decode(BookRequest.self)
        guard let sessionId = body.targetSession else {
            throw APIError.invalidRequest("one of eventId, sessionId or showId is required")
        }
        guard Identifiers.isSane(sessionId) else { throw DomainError.notFound("session") }
        if let seats = body.seats {
            return try await holdSeats(seats, confirm: body.confirm ?? false, userId: body.userId, sessionId: sessionId, command)
        }
        guard let qty = body.qty else { throw APIError.invalidRequest("either seats or qty is required") }
        try checkCount(qty, what: "qty")
        if let sectionId = body.sectionId, !Identifiers.isSane(sectionId, maxLength: 64) {
            throw DomainError.notFound("section")
        }
        let userId = try actingUser(command.principal, requested: body.userId)
        let bookingId = Identifiers.make("bk")
        return try await run(.bookQuantity(BookQuantity(
            bookingId: bookingId, userId: userId, sectionId: body.sectionId, qty: qty, hold: body.hold ?? false,
            holdTTL: backend.settings.holdTTL)), sessionId: sessionId, status: .created, command)
    }

    private func holdSeats(_ seats: [String], confirm: Bool, userId: String?, sessionId: String,
                           _ command: CommandRequest) async throws -> Response {
        try checkCount(seats.count, what: "seats")
        if let bad = seats.first(where: { !Identifiers.isSane($0, maxLength: 16) }) {
            throw APIError.invalidRequest("unknown seat id \(bad.prefix(16))")
        }
        let userId = try actingUser(command.principal, requested: userId)
        return try await run(.holdSeats(HoldSeats(
            bookingId: Identifiers.make("bk"), userId: userId, seats: seats, confirm: confirm,
            holdTTL: backend.settings.holdTTL)), sessionId: sessionId, status: .created, command)
    }

    private func change(_ request: Request, _ context: AppRequestContext, bookingId: String?, confirm: Bool) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, backend: backend)
        let id = try bookingId ?? command.decode(BookingIdRequest.self).bookingId
        let sessionId = try await backend.bookings.sessionId(of: id)
        let actor = command.principal.actor
        return try await run(confirm ? .confirm(bookingId: id, by: actor) : .cancel(bookingId: id, by: actor),
                             sessionId: sessionId, status: .ok, command)
    }

    private func run(_ sessionCommand: SessionCommand, sessionId: String, status: HTTPResponse.Status,
                     _ command: CommandRequest) async throws -> Response {
        command.notes.note(bookingId: sessionCommand.bookingId, sessionId: sessionId)
        return try await command.idempotent(backend) {
            let render: @Sendable (SessionOutcome, Int64) throws -> StoredResponse = { outcome, position in
                try command.stored(status: status, body: BookingBody(
                    outcome.booking!, sessionId: sessionId, position: position, remaining: outcome.remaining), position: position)
            }
            let result: CommandResult<SessionDecider>
            do {
                result = try await backend.sessions.execute(
                    sessionCommand, on: Streams.session(sessionId), metadata: command.metadata,
                    idempotency: command.key.map { IdempotencyRequest(key: $0, render: render) })
            } catch CommandError.outcomeUnknown {
                throw APIError.outcomeUnknown(bookingId: sessionCommand.bookingId)
            }
            if let bookingId = sessionCommand.bookingId {
                backend.bookings.remember(bookingId: bookingId, sessionId: sessionId)
            }
            return try render(result.outcome, result.position)
        }
    }

    private func checkCount(_ count: Int, what: String) throws {
        let limit = backend.settings.maxSeatsPerBooking
        guard count >= 1 else { throw APIError.invalidRequest("\(what) must not be empty or below 1") }
        guard count <= limit else { throw APIError.invalidRequest("at most \(limit) \(what) per booking") }
    }

    /// A user books for themselves; the admin must name the user it books for.
    private func actingUser(_ principal: Principal, requested: String?) throws -> String {
        switch principal {
        case .admin:
            guard let requested, Identifiers.isSane(requested) else {
                throw APIError.invalidRequest("userId is required when booking with the admin token")
            }
            return requested
        case .user(let id):
            guard requested == nil || requested == id else { throw APIError.forbidden }
            return id
        }
    }
}
