import EventStore
import Hummingbird
import Logging

/// Builds the router from the routes of every area.
public enum GatewayRouter {
    /// All routes of the gateway.
    public static func routes(_ backend: Backend) -> [Route] {
        // Two sums: one long `+` chain is more than the type checker will take.
        let webhooks = WebhookRoutes(intake: backend.intake, webhooks: backend.webhooks, clock: backend.clock).routes
        return webhooks + areas(backend)
    }

    private static func areas(_ backend: Backend) -> [Route] {
        AdminRoutes(intake: backend.intake, catalogue: backend.catalogue).routes
            + BlockRoutes(intake: backend.intake, catalogue: backend.catalogue, reads: backend.reads).routes
            + WaitingRoomRoutes(intake: backend.intake, catalogue: backend.catalogue, reads: backend.reads, clock: backend.clock).routes
            + WaitlistRoutes(
                intake: backend.intake, catalogue: backend.catalogue, reads: backend.reads, offerTTL: backend.settings.offerTTL,
                maxCount: backend.settings.maxSeatsPerBooking
            ).routes
            + UserRoutes(intake: backend.intake, accounts: backend.accounts, clock: backend.clock).routes
            + BookingRoutes(intake: backend.intake, bookings: backend.bookings).routes
            + TicketRoutes(intake: backend.intake, tickets: backend.tickets, accounts: backend.accounts, clock: backend.clock).routes
            + HistoryRoutes(auth: backend.auth, reads: backend.reads).routes
            + HealthRoutes(auth: backend.auth, monitoring: backend.monitoring).routes
            + QueryRoutes(auth: backend.auth, reads: backend.reads).routes
            + FeedRoutes(reads: backend.reads).routes
            + ShowRoutes(auth: backend.auth, reads: backend.reads, locator: backend.bookings.locator).routes
            + KPIRoutes(monitoring: backend.monitoring).routes
            + PageRoutes().routes
            + OpenAPIRoutes().routes
    }

    /// The router with error mapping around every route.
    public static func build(_ backend: Backend, extraRoutes: [Route] = [], logger: Logger) -> Router<AppRequestContext> {
        let routes = routes(backend) + extraRoutes
        let router = Router(context: AppRequestContext.self)
        // Outermost first: the log sees every final status, CORS headers reach error answers too, and the
        // rate limit answers 429 in the error shape with a request id.
        router.add(middleware: RequestLogMiddleware(logger: logger))
        if !backend.settings.corsOrigins.isEmpty {
            router.add(middleware: AllowedOriginsMiddleware(origins: Set(backend.settings.corsOrigins)))
        }
        router.add(middleware: ErrorMiddleware(routes: RouteTable(routes), logger: logger))
        if backend.settings.rateLimit.isEnabled {
            router.add(
                middleware: RateLimitMiddleware(
                    limit: backend.settings.rateLimit, auth: backend.auth,
                    trustedProxies: backend.settings.trustedProxies,
                    timeout: backend.settings.requestTimeout))
        }
        let timeout = backend.settings.requestTimeout
        let metrics = backend.metrics
        for route in routes {
            let handler = route.handler
            let label = "\(route.method) \(route.path)"
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await metrics.observe(label, outcome: { .init(status: $0.status.code) }, failure: ErrorMapping.outcome) {
                    // Past the deadline the answer is a 503 (mapped in ErrorMapping), never a hang.
                    try await withDeadline(timeout) { try await handler(request, context) }
                }
            }
        }
        return router
    }
}
