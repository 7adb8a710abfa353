import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Outermost middleware: gives every request an id and turns every error into the SPEC error shape.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteTable
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let supplied = request.headers[.xRequestId]
        context.requestId = supplied.flatMap { Identifiers.isSane($0) ? $0 : nil } ?? Identifiers.make("req")
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            let refined: APIError = allowed.isEmpty ? .notFound("route") : .methodNotAllowed(allowed: allowed)
            response = ErrorMapping.response(for: refined, logger: logger)
        } catch {
            var logger = logger
            logger[metadataKey: "request.id"] = "\(context.requestId)"
            response = ErrorMapping.response(for: error, logger: logger)
        }
        response.headers[.xRequestId] = context.requestId
        return response
    }
}
