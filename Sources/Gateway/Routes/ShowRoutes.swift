import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Projections

/// Seed 004's reads, in its words (`ShowVocabulary`): a show's seat list, one booking, the admin's list.
/// A seat list and a booking come from the session's stream worker, like `LiveAnswer`: they hold every
/// commit made before the request.
struct ShowRoutes: Sendable {
    let auth: Authenticator
    let reads: Reads
    let locator: BookingLocator

    var routes: [Route] {
        [
            Route(.get, "/shows/:id/seats") { request, context in try await seats(request, try context.id("id")) },
            Route(.get, "/book/:id") { request, context in try await booking(request, try context.id("id")) },
            Route(.get, "/admin/bookings") { request, _ in try await bookings(request) },
        ]
    }

    private func answer(_ body: some Encodable, position: Int64) -> Response {
        JSONResponse.make(status: .ok, body: body, headers: [.xReadModelPosition: String(position)])
    }

    private func seats(_ request: Request, _ id: String) async throws -> Response {
        let latest = try await reads.sessions.latest(of: Streams.session(id))
        guard let session = latest.state.session else { throw DomainError.notFound("session") }
        let admin = auth.isAdmin(request)
        let numbers = SeatNumbers(session.seatSections)
        let seats = numbers.all.enumerated().map { index, seatId in
            let holder = latest.state.seatHolder[seatId]
            return ShowAnswer.Seat(
                id: seatId, seat_number: index + 1,
                status: ShowVocabulary.seatWord(
                    holder.flatMap { latest.state.bookings[$0]?.status }, blocked: latest.state.seatBlock[seatId] != nil),
                booking_id: admin ? holder : nil)
        }
        return answer(seats, position: latest.position)
    }

    private func booking(_ request: Request, _ id: String) async throws -> Response {
        let principal = try await auth.principal(request, guests: true)
        let sessionId = try await locator.sessionId(of: id)
        let latest = try await reads.sessions.latest(of: Streams.session(sessionId))
        guard let booking = latest.state.bookings[id], let session = latest.state.session else {
            throw DomainError.notFound("booking")
        }
        try principal.mayRead(bookingOf: booking.userId, guestName: booking.guestName)
        let name = try await userName(of: booking.userId, guestName: booking.guestName)
        return answer(
            ShowAnswer.Lookup(booking, showId: sessionId, userName: name, numbers: SeatNumbers(session.seatSections)),
            position: latest.position)
    }

    /// `?status=PENDING|CONFIRMED|FAILED|CANCELLED`, `limit` and `cursor`; a plain array as in 004, with the
    /// next page's cursor in `X-Next-Cursor`.
    private func bookings(_ request: Request) async throws -> Response {
        try await auth.requireAdmin(request)
        let position = try await ReadYourWrites(reads: reads).position(request, projections: ["sessions"])
        var filters: [String: String] = [:]
        if let word = request.uri.queryParameters["status"] {
            guard let status = ShowVocabulary.status(String(word)) else {
                throw APIError.invalidRequest("status must be PENDING, CONFIRMED, FAILED or CANCELLED")
            }
            filters["status"] = status.rawValue
        }
        let (limit, cursor) = try Paging.parse(request)
        let page = try await Paging.fetch { try await reads.models.bookings(filters: filters, limit: limit, cursor: cursor) }
        var numbering: [String: SeatNumbers] = [:]
        var names: [String: String] = [:]
        var listed: [ShowAnswer.Listed] = []
        for booking in page.items {
            if numbering[booking.sessionId] == nil {
                let sections = try await reads.models.session(booking.sessionId)?.sections ?? []
                numbering[booking.sessionId] = SeatNumbers(
                    sections.compactMap { section in
                        section.rows.map { SeatSection(id: section.id, name: section.name, price: section.price, rows: $0) }
                    })
            }
            if booking.guestName == nil, names[booking.userId] == nil {
                names[booking.userId] = try await userName(of: booking.userId, guestName: nil)
            }
            let numbers = numbering[booking.sessionId]!
            listed.append(
                ShowAnswer.Listed(
                    id: booking.id, show_id: booking.sessionId, user_name: booking.guestName ?? names[booking.userId]!,
                    status: ShowVocabulary.word(booking.status), seats: (booking.seats ?? []).compactMap { numbers.number(of: $0) },
                    qty: booking.qty, created_at: booking.createdAt))
        }
        var response = answer(listed, position: position)
        if let next = page.nextCursor { response.headers[.xNextCursor] = next }
        return response
    }

    /// A guest's own name, or the registered user's (once the users read model has their registration).
    private func userName(of userId: String, guestName: String?) async throws -> String {
        if let guestName { return guestName }
        return try await ReadYourWrites(reads: reads).found(in: "users") { try await reads.models.user(userId) }?.name ?? userId
    }
}

extension HTTPField.Name {
    static let xNextCursor = Self("X-Next-Cursor")!
}
