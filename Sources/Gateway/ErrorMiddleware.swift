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

/// Builds the router from the routes of every area.
public enum GatewayRouter {
    /// All routes of the gateway.
    public static func routes<Store, Docs>(_ backend: Backend<Store, Docs>) -> [Route] {
        AdminRoutes(backend: backend).routes
            + UserRoutes(backend: backend).routes
            + BookingRoutes(backend: backend).routes
            + HistoryRoutes(backend: backend).routes
            + HealthRoutes(backend: backend).routes
            + QueryRoutes(backend: backend).routes
    }

    /// The router with error mapping around every route.
    public static func build<Store, Docs>(_ backend: Backend<Store, Docs>, extraRoutes: [Route] = [], logger: Logger) -> Router<AppRequestContext> {
        let routes = routes(backend) + extraRoutes
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorMiddleware(routes: RouteTable(routes), logger: logger))
        let timeout = backend.settings.requestTimeout
        for route in routes {
            let handler = route.handler
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await Deadline.run(timeout) { try await handler(request, context) }
            }
        }
        return router
    }
}
