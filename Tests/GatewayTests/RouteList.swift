import Gateway
import Projections
import TestSupport

/// The gateway's routes as `METHOD /path/{param}`, read from the router's own list.
enum RouteList {
    /// Routes issue 6 adds (KPIs, metrics, dashboard, booking page). The OpenAPI document and the
    /// security matrix already cover them; until that branch is merged the router lacks them, so
    /// they are excused only while absent. Delete this constant once issue 6 is merged.
    static let routesAddedByIssue6: Set<String> = ["GET /kpis", "GET /metrics", "GET /dashboard", "GET /"]

    static func all() async throws -> Set<String> {
        let store = try await TestDatabase.store()
        let backend = Backend(store: store, documents: PostgresDocumentStore(client: TestDatabase.client, logger: TestDatabase.logger),
                              settings: GatewaySettings(adminToken: "unused", gatewayId: "route-list"))
        return Set(GatewayRouter.routes(backend).map { "\($0.method.rawValue) \(openAPIPath($0.path))" })
    }

    /// `/bookings/:id/confirm` → `/bookings/{id}/confirm`.
    static func openAPIPath(_ path: String) -> String {
        let segments = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
        return "/" + segments.joined(separator: "/")
    }
}
