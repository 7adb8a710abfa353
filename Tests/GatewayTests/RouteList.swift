import Gateway
import Projections
import TestSupport

/// The gateway's routes as `METHOD /path/{param}`, read from the router's own list.
enum RouteList {
    static func all() async throws -> Set<String> {
        let store = try await TestDatabase.store()
        let backend = Backend(
            store: store, documents: PostgresDocumentStore(client: TestDatabase.client, logger: TestDatabase.logger),
            settings: GatewaySettings(adminToken: "unused", gatewayId: "route-list"))
        return Set(GatewayRouter.routes(backend).map { "\($0.method.rawValue) \(openAPIPath($0.path))" })
    }

    /// `/bookings/:id/confirm` → `/bookings/{id}/confirm`.
    static func openAPIPath(_ path: String) -> String {
        let segments = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
        return "/" + segments.joined(separator: "/")
    }
}
