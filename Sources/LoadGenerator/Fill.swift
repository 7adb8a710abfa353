import Foundation

/// The fill (`boxoffice load fill`): books `events` single tickets over HTTP with `clients` parallel buyers,
/// sampling the projections' live lag from `/health` meanwhile. Used to build large logs and to
/// measure projection catch-up and lag.
public struct Fill: Sendable {
    public var url: String
    public var adminToken: String
    public var events: Int
    public var clients: Int

    public init(url: String, adminToken: String, events: Int, clients: Int) {
        self.url = url
        self.adminToken = adminToken
        self.events = events
        self.clients = clients
    }

    /// One connection per buyer and one for the lag sampler, with room to spare.
    public func run() async throws -> ToolReport {
        try await APIClient.with(url: url, connections: clients + 2) { api in try await fill(api, admin: adminToken) }
    }

    private func fill(_ api: APIClient, admin: String) async throws -> ToolReport {
        let event = try await api.expect(
            201, .POST, "/events/create", token: admin,
            body: [
                "name": "Fill \(Date())", "sections": [["name": "Floor", "price": 1, "capacity": events]],
            ])
        let eventId = event.json["id"] as? String ?? ""
        var tokens: [String] = []
        for index in 0..<clients {
            let user = try await api.expect(
                201, .POST, "/users", token: nil,
                body: [
                    "name": "Filler \(index)", "email": "filler-\(index)-\(UUID().uuidString.prefix(8))@fill.test",
                ])
            tokens.append(user.json["token"] as? String ?? "")
        }
        let lags = LagSamples()
        let sampler = Task {
            while !Task.isCancelled {
                if let health = try? await api.send(.GET, "/health", token: admin),
                    let projections = health.json["projections"] as? [[String: any Sendable]]
                {
                    await lags.add(projections.compactMap { $0["lagMs"] as? Double }.max() ?? 0)
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let started = ContinuousClock.now
        let perClient = events / clients
        let extra = events % clients
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, token) in tokens.enumerated() {
                let count = perClient + (index < extra ? 1 : 0)
                group.addTask {
                    var failed = 0
                    for _ in 0..<count {
                        let reply = try await api.send(.POST, "/book", token: token, body: ["eventId": eventId, "qty": 1])
                        if reply.status != 201 { failed += 1 }
                    }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
        let seconds = (ContinuousClock.now - started).seconds
        sampler.cancel()
        let samples = await lags.sorted()
        let p99 = samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
        let text = """
            fill: \(events) bookings by \(clients) clients in \(String(format: "%.1f", seconds)) s \
            (\(String(format: "%.0f", Double(events) / seconds)) bookings/s), \(failures) not 201
            projection live lag while filling (from /health, \(samples.count) samples): \
            median \(samples.isEmpty ? 0 : samples[samples.count / 2]) ms, p99 \(p99) ms, max \(samples.last ?? 0) ms
            """
        return ToolReport(text: text, ok: failures == 0)
    }
}

/// Lag samples collected while filling.
actor LagSamples {
    private var values: [Double] = []
    func add(_ value: Double) { values.append(value) }
    func sorted() -> [Double] { values.sorted() }
}
