import ArgumentParser
import Foundation

/// `boxoffice load w2`: 200 sessions of 20 × 25; each attempt picks a session and two distinct seats
/// blindly (no view) and reserves them. Fixed duration T (10 s).
struct W2ManySessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "w2", abstract: "W2 many-sessions (WORKLOADS.md).")

    @OptionGroup var options: LoadOptions
    @Option(help: "Sessions (WORKLOADS.md: 200).") var sessions = 200

    static let geometry = SeatGeometry(rows: 20, seatsPerRow: 25)

    func run() async throws {
        let admin = try options.admin()
        guard (1...2_000).contains(sessions) else { throw ValidationError("--sessions must be 1 to 2000") }
        let report = try await options.withAPI { api in
            let ids = try await SeatedSetup.sessions(api, admin: admin, geometry: Self.geometry, count: sessions)
            let tokens = try await api.registerUsers(options.clients, tag: UUID().uuidString.prefix(8).lowercased())
            let runner = WorkloadRunner(api: api, clients: options.clients, duration: .seconds(options.duration ?? 10),
                                        seed: options.seed)
            let lag = LagSampler(api, admin: admin)
            let (stats, elapsed) = await runner.run { client, _ in
                BlindPair(sessions: ids, token: tokens[client], geometry: Self.geometry)
            }
            let lagSummary = await lag.stop()
            let (facts, checks) = try await SeatedSetup.check(api, admin: admin, sessions: ids, stats: stats)
            return LoadReport(workload: "w2", clients: options.clients, limit: runner.duration, stats: stats, elapsed: elapsed,
                              soldOut: false, lag: lagSummary, facts: facts, checks: checks)
        }
        try report.emit(json: options.json)
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
