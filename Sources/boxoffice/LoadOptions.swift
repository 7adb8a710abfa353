import ArgumentParser
import AsyncHTTPClient
import Foundation

/// Options every WORKLOADS.md workload shares.
struct LoadOptions: ParsableArguments {
    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Concurrent clients (C).") var clients = 16
    @Option(help: "Stop after this many seconds (T); default: the workload's own.") var duration: Double?
    @Option(help: "Seed of the clients' random choices (client i uses seed + i).") var seed: UInt64 = 1
    @Flag(help: "Print the report as one JSON object (for scripts).") var json = false
    @Option(name: .customLong("admin-token"), help: "Admin token for set-up and checks (env ADMIN_TOKEN).")
    var adminToken: String?

    func admin() throws -> String {
        guard let token = adminToken ?? Environment.value("ADMIN_TOKEN") else {
            throw ValidationError("the admin token is required (--admin-token or ADMIN_TOKEN) to set up the workload")
        }
        return token
    }

    func validate() throws {
        guard (1...1_000).contains(clients) else { throw ValidationError("--clients must be 1 to 1000") }
        if let duration, !(duration > 0 && duration <= 3_600) { throw ValidationError("--duration must be 0 to 3600 seconds") }
    }

    /// Runs `body` with an HTTP client that keeps one connection per load client (plus a few for
    /// set-up and the lag sampler), and shuts it down afterwards whatever happens.
    func withAPI<T>(_ body: (APIClient) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients + 8)))
        do {
            let result = try await body(APIClient(http: http, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}

/// A small, fast, seedable generator (SplitMix64), so a run's choices can be repeated.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
