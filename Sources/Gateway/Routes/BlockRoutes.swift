import Commands
import EventStore
import Foundation
import Hummingbird

/// House seats: the admin keeps seats of a session back from sale, lists them, and puts them back
/// (admin token). Booking from a block is with the other bookings (`BookingRoutes`).
struct BlockRoutes: Sendable {
    let intake: CommandIntake
    let catalogue: CatalogueService
    let reads: Reads

    var routes: [Route] {
        [
            Route(.post, "/sessions/:id/blocks") { request, context in try await block(request, context, sessionId: try context.id("id")) },
            Route(.get, "/sessions/:id/blocks") { request, context in try await list(request, sessionId: try context.id("id")) },
            Route(.delete, "/sessions/:id/blocks/:blockId") { request, context in
                try await release(request, context, sessionId: try context.id("id"), blockId: try context.id("blockId"))
            },
        ]
    }

    private func block(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(BlockRequest.self)
        guard body.seats.count <= LayoutLimits.maxSeats else { throw APIError.invalidRequest("at most \(LayoutLimits.maxSeats) seats") }
        if let bad = body.seats.first(where: { !Identifiers.isSane($0, maxLength: 16) }) {
            throw APIError.invalidRequest("unknown seat id \(bad.prefix(16))")
        }
        return try await run(
            .blockSeats(blockId: Identifiers.make("blk"), seats: body.seats, reason: body.reason), sessionId, command, status: .created)
    }

    private func release(_ request: Request, _ context: AppRequestContext, sessionId: String, blockId: String) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        return try await run(.releaseBlock(blockId: blockId), sessionId, command, status: .ok)
    }

    /// The session's blocks that still keep seats back, from its stream as the command side folds it.
    private func list(_ request: Request, sessionId: String) async throws -> Response {
        try await intake.auth.requireAdmin(request)
        let latest = try await reads.sessions.latest(of: Streams.session(sessionId))
        guard latest.state.session != nil else { throw DomainError.notFound("session") }
        let blocks = latest.state.blocks.values.filter(\.isActive).sorted { ($0.blockedAt, $0.id) < ($1.blockedAt, $1.id) }
        return JSONResponse.make(
            status: .ok, body: QueryRoutes.List(items: blocks.map { BlockBody($0, sessionId: sessionId, position: nil) }, nextCursor: nil),
            headers: [.xReadModelPosition: String(latest.position)])
    }

    private func run(
        _ change: SessionCommand, _ sessionId: String, _ command: CommandRequest, status: HTTPResponse.Status
    ) async throws -> Response {
        try await catalogue.respond(change, on: sessionId, command, store: intake.store, status: status) { outcome, position in
            BlockBody(outcome.block!, sessionId: sessionId, position: position)
        }
    }
}
