import Commands
import EventStore
import Foundation
import Hummingbird
import Projections

/// Audit: a session's events straight from the log, and its state rebuilt as of any version.
struct HistoryRoutes: Sendable {
    let auth: Authenticator
    let reads: Reads

    var routes: [Route] {
        [Route(.get, "/sessions/:id/history") { request, context in try await history(request, context) }]
    }

    struct Entry: Encodable {
        var version: Int
        var position: Int64
        var type: String
        var recordedAt: Date
        var data: JSONValue
        var metadata: EventMetadata
    }

    struct AsOf: Encodable {
        var sessionId: String
        var version: Int
        var currentVersion: Int
        var session: SessionInfo
        var seats: [SeatView]
        var sections: [SectionView]
        var summary: SeatCounts
        var bookings: [BookingBody]
        var events: [Entry]
    }

    struct SessionInfo: Encodable {
        var id: String
        var title: String
        var kind: SessionKind
        var hall: HallRef?
        var startsAt: Date?
    }

    private func history(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try await auth.requireAdmin(request)
        let sessionId = try context.id("id")
        let asOf: Int? = try request.uri.queryParameters["asOf"].map { raw in
            guard let version = Int(raw), version >= 1 else { throw APIError.invalidRequest("asOf must be a version >= 1") }
            return version
        }
        let stored = try await reads.store.readStream(Streams.session(sessionId), after: 0)
        guard !stored.isEmpty else { throw DomainError.notFound("session") }
        let entries = try stored.map { event in
            Entry(
                version: event.version, position: event.position, type: event.type, recordedAt: event.recordedAt,
                data: try JSONValue.parse(event.data), metadata: event.metadata)
        }
        guard let asOf else { return JSONResponse.make(status: .ok, body: entries) }
        guard asOf <= stored.count else {
            throw APIError.invalidRequest("asOf \(asOf) is beyond the session's version \(stored.count)")
        }
        var state = SessionDecider.initialState
        for event in stored.prefix(asOf) {
            if let decoded = try SessionEvent.decode(type: event.type, data: event.data) { SessionDecider.evolve(&state, decoded) }
        }
        let map = SeatMap.of(state, version: asOf)
        let session = state.session!
        let position = stored[asOf - 1].position
        let bookings = state.bookings.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map {
            BookingBody($0, sessionId: sessionId, position: position, remaining: nil)
        }
        return JSONResponse.make(
            status: .ok,
            body: AsOf(
                sessionId: sessionId, version: asOf, currentVersion: stored.count,
                session: SessionInfo(
                    id: session.sessionId, title: session.title, kind: session.kind, hall: session.hall,
                    startsAt: session.startsAt),
                seats: map.seats, sections: map.sections, summary: map.summary, bookings: bookings,
                events: Array(entries.prefix(asOf))))
    }
}
