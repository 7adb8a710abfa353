import Commands
import EventStore
import Foundation
import Hummingbird

/// An on-sale's waiting room: the admin opens it (`onSaleAt`, `admitPerMinute`); buyers queue before or
/// after sales open and are admitted in turn; until the room is empty only admitted buyers may book.
struct WaitingRoomRoutes: Sendable {
    let intake: CommandIntake
    let catalogue: CatalogueService
    let reads: Reads
    /// The clock commands are decided with: a buyer's turn is measured against it.
    let clock: @Sendable () -> Date

    var routes: [Route] {
        [
            Route(.post, "/sessions/:id/waiting-room") { request, context in try await open(request, context, sessionId: try context.id("id")) },
            Route(.post, "/sessions/:id/queue") { request, context in try await join(request, context, sessionId: try context.id("id")) },
            Route(.get, "/sessions/:id/queue") { request, context in try await show(request, sessionId: try context.id("id")) },
        ]
    }

    private func open(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(WaitingRoomRequest.self)
        let onSaleAt = try RequestDates.parse(body.onSaleAt, field: "onSaleAt")
        return try await run(.openWaitingRoom(onSaleAt: onSaleAt, admitPerMinute: body.admitPerMinute), sessionId, command, status: .created)
    }

    private func join(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = command.body.isEmpty ? QueueRequest() : try command.decode(QueueRequest.self)
        let userId = try command.principal.acting(for: body.userId)
        // The order of the buyers who arrive before sales open is this draw's.
        return try await run(.joinQueue(userId: userId, ticket: UInt64.random(in: 0...UInt64.max)), sessionId, command, status: .created)
    }

    /// A buyer's place and turn (from when sales open); the admin gets the room's figures.
    private func show(_ request: Request, sessionId: String) async throws -> Response {
        let principal = try await intake.auth.principal(request)
        let latest = try await reads.sessions.latest(of: Streams.session(sessionId))
        guard latest.state.session != nil else { throw DomainError.notFound("session") }
        guard let room = latest.state.room else { throw DomainError.notFound("waiting room") }
        let now = clock()
        var body = RoomBody(room, sessionId: sessionId, at: now)
        if case .user(let userId) = principal {
            guard room.isQueued(userId) else { throw DomainError.notFound("queue entry") }
            body.place = room.place(of: userId, at: now)
            body.admitAt = body.place.map { room.admitAt(place: $0) }
            body.admitted = body.empty || body.place.map { $0 <= body.due } ?? false
        }
        return JSONResponse.make(status: .ok, body: body, headers: [.xReadModelPosition: String(latest.position)])
    }

    private func run(_ change: SessionCommand, _ sessionId: String, _ command: CommandRequest, status: HTTPResponse.Status) async throws -> Response {
        try await catalogue.respond(change, on: sessionId, command, store: intake.store, status: status) { outcome, position in
            QueueAnswer(outcome, sessionId: sessionId, position: position)
        }
    }
}
