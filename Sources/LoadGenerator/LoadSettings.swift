import AsyncHTTPClient
import Foundation

/// What every WORKLOADS.md workload is told: where the gateway is, how many clients, for how long.
public struct LoadSettings: Sendable {
    public var url: String
    public var clients: Int
    /// Stop after this long (T); nil: the workload's own.
    public var duration: Duration?
    /// Client i uses seed + i.
    public var seed: UInt64
    /// The admin token for set-up and checks.
    public var adminToken: String
    /// The server process and the PostgreSQL postmaster whose CPU the run measures beside its own (Linux).
    public var serverPID: Int32?
    public var postgresPID: Int32?

    public init(
        url: String, clients: Int, duration: Duration?, seed: UInt64, adminToken: String,
        serverPID: Int32? = nil, postgresPID: Int32? = nil
    ) {
        self.serverPID = serverPID
        self.postgresPID = postgresPID
        self.url = url
        self.clients = clients
        self.duration = duration
        self.seed = seed
        self.adminToken = adminToken
    }

    var meter: CPUMeter { CPUMeter(serverPID: serverPID, postgresPID: postgresPID) }

    /// Runs `body` with an HTTP client that keeps one connection per load client (plus a few for
    /// set-up and the lag sampler), and shuts it down afterwards whatever happens.
    func withAPI<T>(_ body: (APIClient) async throws -> T) async throws -> T {
        try await APIClient.with(url: url, connections: clients + 8, body)
    }
}

extension APIClient {
    /// Runs `body` with a client of at most `connections` connections to the gateway; each in-flight
    /// request needs its own HTTP/1.1 connection, so this must be at least the number of concurrent clients
    /// (C = 1,000 included), or requests queue inside the client and its latency is measured as the server's.
    static func with<T>(url: String, connections: Int, _ body: (APIClient) async throws -> T) async throws -> T {
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)))
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
