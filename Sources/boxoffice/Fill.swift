import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `boxoffice load fill`: books `--events` single tickets over HTTP with `--clients` parallel buyers,
/// sampling the projections' live lag from `/health` meanwhile. Used to build large logs and to
/// measure projection catch-up and lag.
struct Fill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill the log with bookings and report projection lag.")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Bookings to make (one event each).") var events = 10_000
    @Option(help: "Parallel buyers.") var clients = 32
    @Option(name: .customLong("admin-token"), help: "Admin token (env ADMIN_TOKEN).") var adminToken: String?

    func run() async throws {
        guard let admin = adminToken ?? Environment.value("ADMIN_TOKEN") else { throw ValidationError("the admin token is required") }
        guard (1...1_000_000).contains(events), (1...1_000).contains(clients) else { throw ValidationError("events or clients out of range") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton,
                              configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + 2)))
        defer { _ = http.shutdown() }
        let api = APIClient(http: http, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url)
        let event = try await api.expect(201, .POST, "/events/create", token: admin, body: [
            "name": "Fill \(Date())", "sections": [["name": "Floor", "price": 1, "capacity": events]],
        ])
        let eventId = event.json["id"] as? String ?? ""
        var tokens: [String] = []
        for index in 0..<clients {
            let user = try await api.expect(201, .POST, "/users", token: nil, body: [
                "name": "Filler \(index)", "email": "filler-\(index)-\(UUID().uuidString.prefix(8))@fill.test",
            ])
            tokens.append(user.json["token"] as? String ?? "")
        }
        let lags = LagSamples()
        let sampler = Task {
            while !Task.isCancelled {
                if let health = try? await api.send(.GET, "/health", token: admin),
                   let projections = health.json["projections"] as? [[String: any Sendable]] {
                    await lags.add(projections.compactMap { $0["lagMs"] as? Double }.max() ?? 0)
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        let started = ContinuousClock.now
        let perClient = events / clients, extra = events % clients
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
        print("""
            fill: \(events) bookings by \(clients) clients in \(String(format: "%.1f", seconds)) s \
            (\(String(format: "%.0f", Double(events) / seconds)) bookings/s), \(failures) not 201
            projection live lag while filling (from /health, \(samples.count) samples): \
            median \(samples.isEmpty ? 0 : samples[samples.count / 2]) ms, p99 \(p99) ms, max \(samples.last ?? 0) ms
            """)
        if failures > 0 { throw ExitCode(1) }
    }
}

/// Lag samples collected while filling.
actor LagSamples {
    private var values: [Double] = []
    func add(_ value: Double) { values.append(value) }
    func sorted() -> [Double] { values.sorted() }
}
