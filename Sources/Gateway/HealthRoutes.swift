import EventStore
import Foundation
import Hummingbird

/// `GET /health`: whether the event store answers, and where the log stands.
struct HealthRoutes<Store: EventStore>: Sendable {
    let backend: Backend<Store>

    var routes: [Route] {
        [Route(.get, "/health") { _, _ in try await health() }]
    }

    struct Health: Encodable {
        struct Component: Encodable {
            var status: String
            var headPosition: Int64?
            var latencyMs: Double?
            var error: String?
        }
        var status: String
        var gatewayId: String
        var eventStore: Component
    }

    private func health() async throws -> Response {
        let started = ContinuousClock.now
        do {
            let head = try await backend.store.headPosition()
            let elapsed = ContinuousClock.now - started
            let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            return JSONResponse.make(status: .ok, body: Health(
                status: "ok", gatewayId: backend.settings.gatewayId,
                eventStore: .init(status: "up", headPosition: head, latencyMs: (millis * 100).rounded() / 100)))
        } catch {
            return JSONResponse.make(status: .serviceUnavailable, body: Health(
                status: "degraded", gatewayId: backend.settings.gatewayId,
                eventStore: .init(status: "down", error: String(describing: error).prefix(200).description)))
        }
    }
}
