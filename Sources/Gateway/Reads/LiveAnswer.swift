import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Projections

/// `GET /sessions/:id`, `/events/:id` and `/sessions/:id/seats` from the gateway's live sessions.
///
/// The session's stream worker is brought up to date first, so the answer holds every commit made before
/// the request arrived: `minPosition` needs no wait, and a session just created is never a 404. The
/// strong `ETag` names the stream version and the representation; `If-None-Match` with it is a 304.
struct LiveAnswer: Sendable {
    let reads: Reads

    func respond(_ request: Request, sessionId: String, format: SeatMapFormat) async throws -> Response {
        let wanted = try ReadYourWrites.wanted(request)
        let latest = try await reads.sessions.latest(of: Streams.session(sessionId))
        let answer = try reads.live.answer(
            sessionId, state: latest.state, version: latest.version,
            position: latest.position, format: format)
        var reflected = answer?.position ?? latest.position
        if let wanted, wanted > reflected {
            // Every event committed before this request is in the answer, so the asked one is too, unless
            // it lies beyond the end of the log (never answered to anyone).
            guard try await reads.store.headPosition() >= wanted else {
                throw APIError.invalidRequest("minPosition \(wanted) is beyond the end of the event log")
            }
            reflected = wanted
        }
        guard let answer else { throw DomainError.notFound("session") }
        let tag = "\"\(answer.version)-\(Self.label(format))\""
        var headers: HTTPFields = [.xReadModelPosition: String(reflected), .eTag: tag]
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, tag) {
            headers[.contentLength] = "0"
            return Response(status: .notModified, headers: headers)
        }
        headers[.cacheControl] = "no-cache"
        return JSONResponse.make(status: .ok, data: answer.body, headers: headers)
    }

    private static func label(_ format: SeatMapFormat) -> String {
        switch format {
        case .full: "seats"
        case .compact: "compact"
        case .session: "session"
        }
    }

    /// `If-None-Match`: `*` or a list of entity tags (weak ones compared weakly, as RFC 9110 says for it).
    private static func matches(_ condition: String, _ tag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == tag || trimmed == "W/" + tag
        }
    }
}
