import EventStore
import Foundation
import Hummingbird
import Projections

/// `GET /health`: the event store, the read-model store, and each projection's position and lag.
///
/// The public (load balancers, probes) gets only `{"status"}` and the status code. The details (error
/// text, process name, positions) help an attacker map the system, so only the admin token sees them.
struct HealthRoutes: Sendable {
    let backend: Backend

    var routes: [Route] {
        [Route(.get, "/health") { request, _ in try await health(details: backend.auth.isAdmin(request)) }]
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
        var readModels = Component(status: "up", kind: backend.readModels.documents.kind)
        var projections: [ProjectionLag] = []
        do {
            eventStore.headPosition = try await backend.store.headPosition()
            eventStore.latencyMs = Self.milliseconds(ContinuousClock.now - started)
        } catch {
            eventStore = Component(status: "down", error: String(describing: error).prefix(200).description)
        }
        do {
            projections = try await backend.projectionLags()
        } catch {
            readModels.status = "down"
            readModels.error = String(describing: error).prefix(200).description
        }
        let healthy = eventStore.status == "up" && readModels.status == "up"
        guard details else {
            return JSONResponse.make(status: healthy ? .ok : .serviceUnavailable, body: PublicHealth(status: healthy ? "ok" : "degraded"))
        }
        return JSONResponse.make(status: healthy ? .ok : .serviceUnavailable, body: Health(
            status: healthy ? "ok" : "degraded", gatewayId: backend.settings.gatewayId,
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

extension Backend {
    /// Each projection's applied position and what it has not applied yet (events, and age of the oldest).
    func projectionLags() async throws -> [ProjectionLag] {
        let now = Date()
        var lags: [ProjectionLag] = []
        let repairCounts = try await repairs?.counts()
        for projection in Projections.all {
            let position = try await readModels.position(of: projection.name)
            let backlog = try await store.backlog(after: position.checkpoint, types: projection.eventTypes)
            lags.append(ProjectionLag(
                name: projection.name, position: position.checkpoint.position, lagEvents: backlog.events,
                lagMs: backlog.oldest.map { max(0, now.timeIntervalSince($0) * 1000).rounded() } ?? 0,
                updatedAt: position.updatedAt, repairs: repairCounts.map { $0[projection.name] ?? 0 }))
        }
        return lags
    }
}
