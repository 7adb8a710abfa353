import EventStore
import Foundation
import Hummingbird
import Projections

/// `GET /health`: the event store, the read-model store, and each projection's position and lag.
///
/// The public (load balancers, probes) gets only `{"status"}` and the status code. The details (error
/// text, process name, positions) help an attacker map the system, so only the admin token sees them.
struct HealthRoutes: Sendable {
    let auth: Authenticator
    let monitoring: Monitoring

    var routes: [Route] {
        [Route(.get, "/health") { request, _ in try await health(details: auth.isAdmin(request)) }]
    }

    struct PublicHealth: Encodable {
        var status: String
    }

    struct Health: Encodable {
        var status: String
        var gatewayId: String
        var eventStore: Component
        var readModels: Component
        var projections: [ProjectionLag]
    }

    struct Component: Encodable {
        var status: String
        var kind: String?
        var headPosition: Int64?
        var latencyMs: Double?
        var error: String?
    }

    private func health(details: Bool) async throws -> Response {
        let started = ContinuousClock.now
        var eventStore = Component(status: "up")
        var readModels = Component(status: "up", kind: monitoring.reads.models.documents.kind)
        var projections: [ProjectionLag] = []
        do {
            eventStore.headPosition = try await monitoring.reads.store.headPosition()
            eventStore.latencyMs = Self.milliseconds(ContinuousClock.now - started)
        } catch {
            eventStore = Component(status: "down", error: String(describing: error).prefix(200).description)
        }
        do {
            projections = try await monitoring.reads.projectionLags()
        } catch {
            readModels.status = "down"
            readModels.error = String(describing: error).prefix(200).description
        }
        let healthy = eventStore.status == "up" && readModels.status == "up"
        guard details else {
            return JSONResponse.make(status: healthy ? .ok : .serviceUnavailable, body: PublicHealth(status: healthy ? "ok" : "degraded"))
        }
        return JSONResponse.make(
            status: healthy ? .ok : .serviceUnavailable,
            body: Health(
                status: healthy ? "ok" : "degraded", gatewayId: monitoring.gatewayId,
                eventStore: eventStore, readModels: readModels, projections: projections))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let millis = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return (millis * 100).rounded() / 100
    }
}

/// How far a projection's queries are behind the log.
struct ProjectionLag: Encodable {
    var name: String
    var position: Int64
    var lagEvents: Int
    var lagMs: Double
    var updatedAt: Date?
    /// Read-model repairs this projection needed so far (any process); anything but 0 deserves a look.
    var repairs: Int?
}
