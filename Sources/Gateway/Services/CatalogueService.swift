import Commands
import EventStore
import Foundation

/// Halls and what is scheduled in them (seated sessions, GA events, numbered shows).
struct CatalogueService: Sendable {
    let halls: CommandHandler<HallDecider>
    let sessions: CommandHandler<SessionDecider>

    func create(_ hall: HallCreated, _ command: CommandRequest) async throws -> CommandResult<HallDecider> {
        try await halls.execute(
            .create(hall), on: Streams.hall(hall.hallId), metadata: command.metadata,
            idempotency: command.idempotency)
    }

    /// A hall as its stream knows it; not found before it was created.
    func hall(_ hallId: String) async throws -> HallCreated {
        guard Identifiers.isSane(hallId), let hall = try await halls.state(of: Streams.hall(hallId)).state.hall else {
            throw DomainError.notFound("hall")
        }
        return hall
    }

    /// Changes what a session sells: its per-buyer cap and sales window, its blocks of seats.
    func change(_ sessionId: String, _ change: SessionCommand, _ command: CommandRequest) async throws -> CommandResult<SessionDecider> {
        command.notes.note(sessionId: sessionId)
        return try await sessions.execute(
            change, on: Streams.session(sessionId), metadata: command.metadata, idempotency: command.idempotency)
    }

    func schedule(_ scheduled: SessionScheduled, _ command: CommandRequest) async throws -> CommandResult<SessionDecider> {
        command.notes.note(sessionId: scheduled.sessionId)
        return try await sessions.execute(
            .schedule(scheduled), on: Streams.session(scheduled.sessionId), metadata: command.metadata,
            idempotency: command.idempotency)
    }
}
