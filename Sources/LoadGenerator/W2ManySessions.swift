import Foundation

/// W2 many-sessions (WORKLOADS.md): sessions of 20 × 25; each attempt picks a session and two distinct
/// seats blindly (no view) and reserves them. Fixed duration T (10 s).
public enum W2ManySessions {
    static let geometry = SeatGeometry(rows: 20, seatsPerRow: 25)

    public static func run(_ settings: LoadSettings, sessions: Int) async throws -> LoadReport {
        let admin = settings.adminToken
        return try await settings.withAPI { api in
            let ids = try await SeatedSetup.sessions(api, admin: admin, geometry: Self.geometry, count: sessions)
            let tokens = try await api.registerUsers(settings.clients, tag: UUID().uuidString.prefix(8).lowercased())
            var runner = WorkloadRunner(
                api: api, clients: settings.clients, duration: settings.duration ?? .seconds(10),
                seed: settings.seed)
            runner.meter = settings.meter
            let lag = LagSampler(api, admin: admin)
            let (stats, elapsed, window) = await runner.run { client, _ in
                BlindPair(sessions: ids, token: tokens[client], geometry: Self.geometry)
            }
            let lagSummary = await lag.stop()
            try await SeatedSetup.waitForProjections(api, admin: admin)
            let cpu = window.finish()
            let (facts, checks) = try await SeatedSetup.check(api, admin: admin, sessions: ids, stats: stats)
            return LoadReport(
                workload: "w2", clients: settings.clients, limit: runner.duration, stats: stats, elapsed: elapsed,
                soldOut: false, lag: lagSummary, cpu: cpu, facts: facts, checks: checks)
        }
    }
}

/// W2's attempt: a uniform session, two distinct uniform seats, no view read.
struct BlindPair: RequestPlan {
    let sessions: [String]
    let token: String
    let geometry: SeatGeometry

    mutating func attempt(_ api: APIClient, random: inout SeededGenerator) async -> AttemptOutcome {
        let session = sessions[Int.random(in: 0..<sessions.count, using: &random)]
        let first = Int.random(in: 0..<geometry.capacity, using: &random)
        var second = Int.random(in: 0..<(geometry.capacity - 1), using: &random)
        if second >= first { second += 1 }
        let body = #"{"seats":["\#(geometry.seatId(first))","\#(geometry.seatId(second))"],"confirm":true}"#
        do {
            return classify(try await api.raw(.POST, "/sessions/\(session)/seats/reserve", token: token, json: body), units: 2)
        } catch {
            return .error("\(error)")
        }
    }
}
