import HTTPTypes
import Hummingbird

/// CORS for the origins in `CORS_ORIGINS` only; with none configured no CORS header is sent, so browsers
/// keep pages of other origins out (same-origin only). `*` allows every origin. Outside the error
/// middleware, so error answers carry the headers too and a browser can read their bodies.
struct AllowedOriginsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) || origins.contains("*") else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .vary: "Origin",
                    .accessControlAllowMethods: "GET, POST",
                    .accessControlAllowHeaders: "Authorization, Content-Type, Idempotency-Key, X-Request-Id",
                    .accessControlMaxAge: "600",
                ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
        response.headers[.accessControlExposeHeaders] = "X-Request-Id, X-Position, X-Read-Model-Position, Retry-After, Idempotent-Replayed"
        return response
    }
}
