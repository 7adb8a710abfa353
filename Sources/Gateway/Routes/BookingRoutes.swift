import Commands
import EventStore
import Foundation
import Hummingbird
import Projections

/// Holding, booking, confirming and cancelling (user token, or admin on a user's behalf).
struct BookingRoutes: Sendable {
    let intake: CommandIntake
    let bookings: BookingService

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
            Route(.post, "/sessions/:id/blocks/:blockId/book") { request, context in
                try await bookFromBlock(request, context, sessionId: try context.id("id"), blockId: try context.id("blockId"))
            },
            // An offer to a waiter is a hold placed for them: accepting it confirms it.
            Route(.post, "/offers/:id/accept") { request, context in
                try await change(request, context, bookingId: try context.id("id"), confirm: true)
            },
            Route(.post, "/bookings/:id/extend") { request, context in try await extend(request, context, bookingId: try context.id("id")) },
        ]
    }

    private func reserve(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(ReserveRequest.self)
        switch (body.seats, body.count) {
        case (let seats?, nil):
            return try await run(
                bookings.hold(seats, confirm: body.confirm ?? false, for: body.userId, in: sessionId, by: command.principal),
                status: .created, command)
        case (nil, let count?):
            return try await run(
                bookings.best(
                    count, section: body.section, together: body.together ?? true, confirm: body.confirm ?? false,
                    for: body.userId, in: sessionId, by: command.principal), status: .created, command)
        default:
            throw APIError.invalidRequest("give either seats or count")
        }
    }

    private func book(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        var command = try await CommandRequest.read(&request, context: context, intake: intake, guests: true)
        let body = try command.decode(BookRequest.self)
        if command.principal == .guest {
            guard let name = body.userName else { throw APIError.unauthorized }
            command = command.forGuest(name)
        }
        guard let sessionId = body.targetSession else {
            throw APIError.invalidRequest("one of eventId, sessionId or showId is required")
        }
        guard Identifiers.isSane(sessionId) else { throw DomainError.notFound("session") }
        let words = body.vocabulary
        if let seats = body.seats {
            let numbered = seats.contains { $0.text == nil }
            let numbers = numbered ? try await bookings.seatNumbers(of: sessionId) : nil
            let ids = seats.map { numbers.map($0.seatId) ?? $0.text! }
            return try await run(
                bookings.hold(
                    ids, confirm: body.confirm ?? false, for: body.userId, guestName: body.userName, in: sessionId,
                    by: command.principal, maxHoldTTL: words == .show ? ShowVocabulary.holdTTL : nil),
                status: .created, command, words: words)
        }
        guard let qty = body.qty else { throw APIError.invalidRequest("either seats or qty is required") }
        return try await run(
            bookings.book(
                qty, of: body.sectionId, hold: body.hold ?? false, for: body.userId, guestName: body.userName,
                in: sessionId, by: command.principal), status: .created, command, words: words)
    }

    /// Confirms or cancels; without a token only a guest's booking, whose id is its credential.
    /// `POST /book/confirm` (no id in the path) is seed 004's and answers in its words.
    private func change(_ request: Request, _ context: AppRequestContext, bookingId: String?, confirm: Bool) async throws -> Response {
        var request = request
        var command = try await CommandRequest.read(&request, context: context, intake: intake, guests: true)
        let id = try bookingId ?? command.decode(BookingIdRequest.self).bookingId
        command = command.forGuest(id)
        return try await run(
            try await bookings.change(id, confirm: confirm, by: command.principal), status: .ok, command,
            words: bookingId == nil ? .show : .boxoffice)
    }

    /// The admin books a block's seats for a user (house seats given to the press, say).
    private func bookFromBlock(_ request: Request, _ context: AppRequestContext, sessionId: String, blockId: String) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(BlockBookingRequest.self)
        return try await run(
            bookings.fromBlock(blockId, seats: body.seats, confirm: body.confirm ?? true, for: body.userId, in: sessionId),
            status: .created, command)
    }

    private func extend(_ request: Request, _ context: AppRequestContext, bookingId: String) async throws -> Response {
        var request = request
        var command = try await CommandRequest.read(&request, context: context, intake: intake, guests: true)
        command = command.forGuest(bookingId)
        return try await run(try await bookings.extend(bookingId, by: command.principal), status: .ok, command)
    }

    private func run(
        _ booking: BookingCommand, status: HTTPResponse.Status, _ command: CommandRequest, words: BookVocabulary = .boxoffice
    ) async throws -> Response {
        command.notes.note(bookingId: booking.command.bookingId, sessionId: booking.sessionId)
        let render = { (outcome: SessionOutcome, position: Int64) in
            let made = outcome.booking!
            let body: any Encodable =
                switch words {
                case .boxoffice:
                    BookingBody(made, sessionId: booking.sessionId, position: position, remaining: outcome.remaining)
                case .event:
                    EventVocabulary.Booking(made, eventId: booking.sessionId, position: position, remaining: outcome.remaining)
                case .show where status == .created:
                    ShowAnswer.Created(bookingId: made.id, status: ShowVocabulary.word(made.status), position: position)
                case .show:
                    ShowAnswer.Confirmed(bookingId: made.id, position: position)
                }
            return try CommandRequest.answer(status: status, body: body, position: position)
        }
        return try await command.idempotent(intake.store, replay: render) {
            let result = try await bookings.execute(booking, command)
            return (try render(result.outcome, result.position), !result.events.isEmpty)
        }
    }
}
