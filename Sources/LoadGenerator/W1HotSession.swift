import Foundation

/// W1 hot-session (WORKLOADS.md): one 40 × 50 session; each attempt reads the seat map and reserves a
/// random adjacent pair that is free in that view. Stops when a view has no free pair, or at T (15 s).
/// `best` is its variant `w1-best`: each attempt asks for the best available pair, without a view, and
/// a client stops on `409 no_seats_together`. Both report the isolated singles left at the end.
public enum W1HotSession {
    static let geometry = SeatGeometry(rows: 40, seatsPerRow: 50)

    public static func run(_ settings: LoadSettings, best: Bool = false) async throws -> LoadReport {
        let admin = settings.adminToken
        return try await settings.withAPI { api in
            let session = try await SeatedSetup.sessions(api, admin: admin, geometry: Self.geometry, count: 1)[0]
            try await SeatedSetup.waitForSeatMap(api, session)
            let tokens = try await api.registerUsers(settings.clients, tag: UUID().uuidString.prefix(8).lowercased())
            var runner = WorkloadRunner(
                api: api, clients: settings.clients, duration: settings.duration ?? .seconds(15),
                seed: settings.seed)
            runner.meter = settings.meter
            let lag = LagSampler(api, admin: admin)
            let (stats, elapsed, window) = await runner.run { client, _ -> any RequestPlan in
                best
                    ? BestPair(session: session, token: tokens[client])
                    : PairFromView(session: session, token: tokens[client], geometry: Self.geometry)
            }
            let lagSummary = await lag.stop()
            try await SeatedSetup.waitForProjections(api, admin: admin)
            let cpu = window.finish()
            var (facts, checks) = try await SeatedSetup.check(api, admin: admin, sessions: [session], stats: stats)
            let fold = try await LogFold.read(api, admin: admin, session: session)
            facts["isolatedSingles"] = Self.geometry.isolatedSingles { fold.activeSeats[$0] != nil }
            return LoadReport(
                workload: best ? "w1-best" : "w1", clients: settings.clients, limit: runner.duration, stats: stats, elapsed: elapsed,
                soldOut: stats.soldOutClients > 0, lag: lagSummary, cpu: cpu, facts: facts, checks: checks)
        }
    }
}

/// W1-best's attempt: the best available pair, confirmed at once; no seat map is read.
struct BestPair: RequestPlan {
    let session: String
    let token: String

    mutating func attempt(_ api: APIClient, random: inout SeededGenerator) async -> AttemptOutcome {
        do {
            let reply = try await api.raw(.POST, "/sessions/\(session)/seats/reserve", token: token, json: #"{"count":2,"confirm":true}"#)
            return reply.status == 409 && reply.errorCode == "no_seats_together" ? .soldOut : classify(reply, units: 2)
        } catch {
            return .error("\(error)")
        }
    }
}

/// The compact seat map (`?format=compact`): a few KB for 2,000 seats, so the client decodes it whole.
struct CompactView: Decodable {
    struct Row: Decodable { var seats: String }
    var rows: [Row]
}

/// W1's attempt: view (the live seat map), pick a free adjacent pair, reserve it confirmed.
struct PairFromView: RequestPlan {
    let session: String
    let token: String
    let geometry: SeatGeometry

    mutating func attempt(_ api: APIClient, random: inout SeededGenerator) async -> AttemptOutcome {
        do {
            let reply = try await api.raw(.GET, "/sessions/\(session)/seats?format=compact", token: token)
            guard reply.status == 200 else { return .error("view: \(reply.status)") }
            // Rows in layout order, one letter per seat: the geometry's flat index order.
            let free = try reply.decode(CompactView.self).rows.flatMap { $0.seats.map { $0 == "A" } }
            guard free.count == geometry.capacity else { return .error("view has \(free.count) seats") }
            guard let left = geometry.freePairs(free).randomElement(using: &random) else {
                return .soldOut
            }
            let body = #"{"seats":["\#(geometry.seatId(left))","\#(geometry.seatId(left + 1))"],"confirm":true}"#
            return classify(try await api.raw(.POST, "/sessions/\(session)/seats/reserve", token: token, json: body), units: 2)
        } catch {
            return .error("\(error)")
        }
    }
}
