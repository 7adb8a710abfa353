import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Projections

/// Every query route: answered from the read models, never from the event log.
struct QueryRoutes: Sendable {
    let auth: Authenticator
    let reads: Reads
    private var models: ReadModelQueries { reads.models }

    var routes: [Route] {
        [
            Route(.get, "/halls") { request, _ in try await halls(request) },
            Route(.get, "/halls/:id") { request, context in try await hall(request, try context.id("id")) },
            Route(.get, "/sessions") { request, _ in try await sessions(request) },
            Route(.get, "/shows") { request, _ in try await sessions(request) },
            Route(.get, "/sessions/:id") { request, context in try await session(request, try context.id("id")) },
            Route(.get, "/events/:id") { request, context in try await event(request, try context.id("id")) },
            Route(.get, "/sessions/:id/seats") { request, context in try await seats(request, try context.id("id")) },
            Route(.get, "/bookings") { request, _ in try await bookings(request) },
            Route(.get, "/bookings/:id") { request, context in try await booking(request, try context.id("id")) },
            Route(.get, "/users/:id") { request, context in try await user(request, try context.id("id")) },
        ]
    }

    struct List<Item: Encodable>: Encodable {
        var items: [Item]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey { case items, nextCursor }

        /// SPEC: `nextCursor` is `null` on the last page, not absent.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    /// A session as listed: no seat layout, just what a picker needs.
    struct SessionListItem: Encodable {
        var id: String
        var title: String
        var kind: SessionKind
        var hall: HallRef?
        var startsAt: Date?
        var counts: SeatCounts

        init(_ document: SessionDocument) {
            id = document.id
            title = document.title
            kind = document.kind
            hall = document.hall
            startsAt = document.startsAt
            counts = document.counts
        }
    }

    struct UserWithHistory: Encodable {
        var id: String
        var name: String
        var email: String
        var registeredAt: Date
        var bookings: [BookingDocument]
    }

    private func answer(_ body: some Encodable, position: Int64) -> Response {
        JSONResponse.make(status: .ok, body: body, headers: [.xReadModelPosition: String(position)])
    }

    private func halls(_ request: Request) async throws -> Response {
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["halls"])
        let (limit, cursor) = try Paging.parse(request)
        let page = try await Paging.fetch { try await models.halls(limit: limit, cursor: cursor) }
        return answer(List(items: page.items, nextCursor: page.nextCursor), position: position)
    }

    private func hall(_ request: Request, _ id: String) async throws -> Response {
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["halls"])
        guard let hall = try await ReadYourWrites(reads: reads).found(in: "halls", { try await models.hall(id) }) else {
            throw DomainError.notFound("hall")
        }
        return answer(hall, position: position)
    }

    private func sessions(_ request: Request) async throws -> Response {
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["sessions"])
        let (limit, cursor) = try Paging.parse(request)
        let page = try await Paging.fetch { try await models.sessions(limit: limit, cursor: cursor) }
        return answer(List(items: page.items.map(SessionListItem.init), nextCursor: page.nextCursor), position: position)
    }

    private func session(_ request: Request, _ id: String) async throws -> Response {
        try await LiveAnswer(reads: reads).respond(request, sessionId: id, format: .session)
    }

    /// Seed 003's event, from the session's stream worker like `GET /sessions/:id`.
    private func event(_ request: Request, _ id: String) async throws -> Response {
        let latest = try await reads.sessions.latest(of: Streams.session(id))
        guard latest.state.session != nil else { throw DomainError.notFound("session") }
        return answer(EventVocabulary.Event(latest.state), position: latest.position)
    }

    private func seats(_ request: Request, _ id: String) async throws -> Response {
        let format: SeatMapFormat
        switch request.uri.queryParameters["format"] {
        case nil, "full": format = .full
        case "compact": format = .compact
        default: throw APIError.invalidRequest("format must be full or compact")
        }
        return try await LiveAnswer(reads: reads).respond(request, sessionId: id, format: format)
    }

    private func bookings(_ request: Request) async throws -> Response {
        let principal = try await auth.principal(request)
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["sessions"])
        let (limit, cursor) = try Paging.parse(request)
        var filters: [String: String] = [:]
        let parameters = request.uri.queryParameters
        if let status = parameters["status"] {
            guard let parsed = BookingStatus(rawValue: String(status).uppercased()) else {
                throw APIError.invalidRequest("status must be HELD, CONFIRMED, EXPIRED or CANCELLED")
            }
            filters["status"] = parsed.rawValue
        }
        for field in ["sessionId", "userId", "eventId"] {
            if let value = parameters[Substring(field)] {
                guard Identifiers.isSane(String(value)) else { throw APIError.invalidRequest("\(field) is malformed") }
                filters[field == "eventId" ? "sessionId" : field] = String(value)
            }
        }
        if case .user(let id) = principal {
            // A user sees only their own bookings, whatever they ask for.
            guard filters["userId"] == nil || filters["userId"] == id else { throw APIError.forbidden }
            filters["userId"] = id
        }
        let page = try await Paging.fetch { try await models.bookings(filters: filters, limit: limit, cursor: cursor) }
        // Asked by `eventId`, seed 003's field, the bookings answer in its words.
        if parameters["eventId"] != nil {
            return answer(List(items: page.items.map(EventVocabulary.Booking.init), nextCursor: page.nextCursor), position: position)
        }
        return answer(List(items: page.items, nextCursor: page.nextCursor), position: position)
    }

    private func booking(_ request: Request, _ id: String) async throws -> Response {
        let principal = try await auth.principal(request, guests: true)
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["sessions"])
        guard let booking = try await ReadYourWrites(reads: reads).found(in: "sessions", { try await models.booking(id) }) else {
            throw DomainError.notFound("booking")
        }
        try principal.mayRead(bookingOf: booking.userId, guestName: booking.guestName)
        return answer(booking, position: position)
    }

    private func user(_ request: Request, _ id: String) async throws -> Response {
        let principal = try await auth.principal(request)
        guard principal == .admin || principal.userId == id else { throw APIError.forbidden }
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["users", "sessions"])
        guard let user = try await ReadYourWrites(reads: reads).found(in: "users", { try await models.user(id) }) else {
            throw DomainError.notFound("user")
        }
        let history = try await models.bookings(filters: ["userId": id], limit: 1000, cursor: nil)
        return answer(
            UserWithHistory(
                id: user.id, name: user.name, email: user.email, registeredAt: user.registeredAt,
                bookings: history.items), position: position)
    }
}
