import Commands
import EventStore
import Foundation
import Hummingbird
import Projections

/// Creating halls, seated sessions, GA events and numbered shows (admin token).
struct AdminRoutes: Sendable {
    let intake: CommandIntake
    let catalogue: CatalogueService

    var routes: [Route] {
        [
            Route(.post, "/halls") { request, context in try await createHall(request, context) },
            Route(.post, "/sessions") { request, context in try await createSession(request, context) },
            Route(.post, "/events/create") { request, context in try await createEvent(request, context) },
            Route(.post, "/admin/shows") { request, context in try await createShow(request, context) },
            Route(.post, "/sessions/:id/sales") { request, context in try await changeSales(request, context, sessionId: try context.id("id")) },
        ]
    }

    private func adminCommand(_ request: Request, _ context: AppRequestContext) async throws -> CommandRequest {
        var request = request
        try await intake.auth.requireAdmin(request)
        return try await CommandRequest.read(&request, context: context, intake: intake)
    }

    private func createHall(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let command = try await adminCommand(request, context)
        let body = try command.decode(CreateHallRequest.self)
        let hall = HallCreated(
            hallId: Identifiers.make("hall"), name: body.name,
            sections: body.sections.enumerated().map { index, section in
                SeatSection(id: section.id ?? "s\(index + 1)", name: section.name, price: section.price, rows: section.rows)
            })
        let render = { (state: HallState, position: Int64) in
            try CommandRequest.answer(status: .created, body: HallBody(state.hall!, position: position), position: position)
        }
        return try await command.idempotent(intake.store, replay: render) {
            let result = try await catalogue.create(hall, command)
            return (try render(result.outcome, result.position), !result.events.isEmpty)
        }
    }

    private func createSession(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let command = try await adminCommand(request, context)
        let body = try command.decode(CreateSessionRequest.self)
        let startsAt = try RequestDates.parse(body.startsAt, field: "startsAt")
        let sales = try body.sales()
        guard Identifiers.isSane(body.hallId) else { throw DomainError.notFound("hall") }
        return try await schedule(command) {
            let hall = try await catalogue.hall(body.hallId)
            var session = SessionScheduled(
                sessionId: Identifiers.make("ses"), title: body.title, startsAt: startsAt, kind: .seated,
                hall: HallRef(id: hall.hallId, name: hall.name), seatSections: hall.sections, gaSections: [],
                singleSeatRule: body.singleSeatRule)
            session.sales = sales
            return session
        } body: { session, position in
            SessionBody(session, position: position)
        }
    }

    private func createEvent(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let command = try await adminCommand(request, context)
        let body = try command.decode(CreateEventRequest.self)
        let startsAt = try body.startsAt.map { try RequestDates.parse($0, field: "startsAt") }
        let sales = try body.sales()
        let sections = body.sections.enumerated().map { index, section in
            GASection(id: section.id ?? "s\(index + 1)", name: section.name, price: section.price, capacity: section.capacity)
        }
        return try await schedule(command) {
            var event = SessionScheduled(
                sessionId: Identifiers.make("evt"), title: body.name, startsAt: startsAt, kind: .general,
                hall: nil, seatSections: [], gaSections: sections)
            event.sales = sales
            return event
        } body: { session, position in
            EventVocabulary.Event(scheduled: session, position: position)
        }
    }

    private func createShow(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let command = try await adminCommand(request, context)
        let body = try command.decode(CreateShowRequest.self)
        let startsAt = try ShowVocabulary.startTime(body.start_time)
        guard (1...LayoutLimits.maxSeats).contains(body.total_seats) else {
            throw APIError.invalidRequest("total_seats must be between 1 and \(LayoutLimits.maxSeats)")
        }
        let rows = [SeatRow(row: "", seats: body.total_seats)]
        return try await schedule(command) {
            SessionScheduled(
                sessionId: Identifiers.make("shw"), title: body.name, startsAt: startsAt, kind: .seated, hall: nil,
                seatSections: [SeatSection(id: "main", name: "General", price: 0, rows: rows)], gaSections: [])
        } body: { session, position in
            ShowCreatedBody(showId: session.sessionId, position: position)
        }
    }

    private func changeSales(_ request: Request, _ context: AppRequestContext, sessionId: String) async throws -> Response {
        let command = try await adminCommand(request, context)
        let sales = try command.decode(SalesRequest.self).settings()
        return try await catalogue.respond(.changeSales(sales), on: sessionId, command, store: intake.store, status: .ok) { outcome, position in
            SalesBody(outcome.session!, position: position)
        }
    }

    /// Schedules what `make` builds (after the key was looked up, so a retry makes nothing new).
    private func schedule(
        _ command: CommandRequest, _ make: () async throws -> SessionScheduled,
        body: @escaping (SessionScheduled, Int64) -> any Encodable
    ) async throws -> Response {
        let render = { (outcome: SessionOutcome, position: Int64) in
            try CommandRequest.answer(status: .created, body: body(outcome.session!, position), position: position)
        }
        return try await command.idempotent(intake.store, replay: render) {
            let result = try await catalogue.schedule(try await make(), command)
            return (try render(result.outcome, result.position), !result.events.isEmpty)
        }
    }
}
