import Dispatch
import Hummingbird
import Logging

/// One structured line per request: method, route pattern, status, duration, request id, and the
/// booking, session and user ids the request touched. Headers and bodies are never logged, so
/// neither are tokens. Outermost, so it sees the final status of every answer (errors, 404, 429).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // The error middleware inside answers every error; this is only a safety net for the log line.
            log(request, context, status: 500, started: started, requestId: context.requestId)
            throw error
        }
        log(
            request, context, status: Int(response.status.code), started: started,
            requestId: response.headers[.xRequestId] ?? context.requestId)
        return response
    }

    private func log(_ request: Request, _ context: Context, status: Int, started: UInt64, requestId: String) {
        guard logger.logLevel <= .info else { return }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        var metadata: Logger.Metadata = [
            "http.method": "\(request.method.rawValue)",
            "http.route": "\(Self.route(context))",
            "http.status": "\(status)",
            "http.duration_ms": "\((elapsed * 100).rounded() / 100)",
            "request.id": "\(requestId)",
        ]
        let notes = context.notes.current
        let pathIds = Self.pathIds(context)
        if let booking = notes.bookingId ?? pathIds.booking { metadata["booking.id"] = "\(booking)" }
        if let session = notes.sessionId ?? pathIds.session { metadata["session.id"] = "\(session)" }
        if let user = notes.userId { metadata["user.id"] = "\(user)" }
        logger.info("request", metadata: metadata)
    }

    /// The matched route pattern (`/bookings/{id}`), never the raw path: bounded, and free of whatever a client put there.
    static func route(_ context: Context) -> String {
        let path = context.endpointPath ?? "unmatched"
        return path == "NotFound" ? "unmatched" : path
    }

    /// Booking or session id named by the route's `:id`.
    static func pathIds(_ context: Context) -> (booking: String?, session: String?) {
        guard let path = context.endpointPath, let id = context.parameters.get("id"), Identifiers.isSane(id) else {
            return (nil, nil)
        }
        if path.hasPrefix("/bookings/") || path.hasPrefix("/book/") { return (id, nil) }
        if path.hasPrefix("/sessions/") || path.hasPrefix("/events/") || path.hasPrefix("/shows/") { return (nil, id) }
        return (nil, nil)
    }
}
