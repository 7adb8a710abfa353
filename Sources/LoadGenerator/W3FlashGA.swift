import Foundation

/// W3 flash-GA (WORKLOADS.md): one GA section (5,000); each request buys 1–4 tickets. Stops when a view
/// shows remaining 0, or at T (15 s). W3 tiny: capacity 5, exactly 20 clients, one request of one ticket each.
public enum W3FlashGA {
    public static func run(_ settings: LoadSettings, capacity: Int) async throws -> LoadReport {
        try await settings.withAPI { api in
            try await GARun(
                api: api, admin: settings.adminToken, capacity: capacity, clients: settings.clients,
                duration: settings.duration ?? .seconds(15), seed: settings.seed, meter: settings.meter
            )
            .run(workload: "w3", tiny: false)
        }
    }

    /// W3 tiny; `settings.clients` is ignored (WORKLOADS.md fixes it at 20).
    public static func runTiny(_ settings: LoadSettings) async throws -> LoadReport {
        var settings = settings
        settings.clients = 20
        return try await settings.withAPI { api in
            try await GARun(
                api: api, admin: settings.adminToken, capacity: 5, clients: 20,
                duration: settings.duration ?? .seconds(15), seed: settings.seed, meter: settings.meter
            )
            .run(workload: "w3-tiny", tiny: true)
        }
    }
}

/// Set-up, run and checks of the GA workloads.
struct GARun {
    let api: APIClient
    let admin: String
    let capacity: Int
    let clients: Int
    let duration: Duration
    let seed: UInt64
    let meter: CPUMeter

    struct EventView: Decodable {
        struct Section: Decodable {
            var id: String
            var remaining: Int
        }
        var sections: [Section]
    }

    func run(workload: String, tiny: Bool) async throws -> LoadReport {
        let created = try await api.expect(
            201, .POST, "/events/create", token: admin,
            body: [
                "name": "Load \(workload) \(UUID().uuidString.prefix(8))",
                "sections": [["name": "Floor", "price": 10, "capacity": capacity]],
            ])
        guard let event = created.json["id"] as? String,
            let section = (created.json["sections"] as? [any Sendable])?.first as? [String: any Sendable],
            let sectionId = section["id"] as? String
        else { throw APIClient.Failure(description: "no event or section id") }
        try await SeatedSetup.waitFor200(api, "/events/\(event)")
        let tokens = try await api.registerUsers(clients, tag: UUID().uuidString.prefix(8).lowercased())
        var runner = WorkloadRunner(api: api, clients: clients, duration: duration, seed: seed)
        if tiny { runner.requestsPerClient = 1 }
        runner.meter = meter
        let lag = LagSampler(api, admin: admin)
        let (stats, elapsed, window) = await runner.run { client, random in
            QuantityFromView(
                event: event, sectionId: sectionId, token: tokens[client],
                qty: tiny ? 1 : Int.random(in: 1...4, using: &random))
        }
        let lagSummary = await lag.stop()
        try await SeatedSetup.waitForProjections(api, admin: admin)
        let cpu = window.finish()

        let fold = try await LogFold.read(api, admin: admin, session: event, capacity: capacity)
        try await SeatedSetup.waitForProjections(api, admin: admin)
        let view = try await api.raw(.GET, "/events/\(event)?minPosition=\(fold.lastPosition)", token: nil).decode(EventView.self)
        let remaining = view.sections.first?.remaining ?? -1
        var facts = [
            "capacity": capacity, "ticketsBooked": fold.ticketsTaken, "bookingsInLog": fold.bookingsPlaced,
            "remaining": remaining, "lowestRemainingInLog": fold.lowestRemaining == .max ? capacity : fold.lowestRemaining,
        ]
        var checks = [
            LoadCheck(
                name: "remaining never below 0", ok: fold.lowestRemaining >= 0 && remaining >= 0,
                detail: "lowest in the log \(facts["lowestRemainingInLog"]!), read model \(remaining)"),
            LoadCheck(name: "booked <= capacity", ok: fold.ticketsTaken <= capacity, detail: "\(fold.ticketsTaken) of \(capacity)"),
            LoadCheck(
                name: "booked + remaining == capacity", ok: fold.ticketsTaken + remaining == capacity,
                detail: "\(fold.ticketsTaken) + \(remaining)"),
            LoadCheck(
                name: "bookings in the log == successes", ok: fold.bookingsPlaced == stats.successes,
                detail: "\(fold.bookingsPlaced) bookings, \(stats.successes) successes"),
            LoadCheck(
                name: "tickets in the log == tickets the clients bought", ok: fold.ticketsTaken == stats.units,
                detail: "\(stats.units) bought"),
            LoadCheck(name: "versions gapless", ok: fold.versionsContiguous, detail: "1 stream"),
            try await SeatedSetup.repairsCheck(api, admin: admin),
        ]
        if tiny {
            let rejected = clients - stats.successes
            facts["booked"] = stats.successes
            facts["rejected"] = rejected
            checks.append(
                LoadCheck(
                    name: "exactly 5 booked, 15 rejected, remaining 0",
                    ok: stats.successes == 5 && rejected == 15 && remaining == 0,
                    detail: "\(stats.successes) booked, \(rejected) rejected, remaining \(remaining)"))
        }
        return LoadReport(
            workload: workload, clients: clients, limit: duration, stats: stats, elapsed: elapsed,
            soldOut: stats.soldOutClients > 0, lag: lagSummary, cpu: cpu, facts: facts, checks: checks)
    }
}

/// W3's request: qty drawn once and kept across concurrency retries; each attempt reads `remaining` first.
struct QuantityFromView: RequestPlan {
    let event: String
    let sectionId: String
    let token: String
    let qty: Int

    mutating func attempt(_ api: APIClient, random: inout SeededGenerator) async -> AttemptOutcome {
        do {
            let view = try await api.raw(.GET, "/events/\(event)", token: token)
            guard view.status == 200 else { return .error("view: \(view.status)") }
            guard let remaining = try view.decode(GARun.EventView.self).sections.first?.remaining else { return .error("no section") }
            if remaining == 0 { return .soldOut }
            let body = #"{"eventId":"\#(event)","sectionId":"\#(sectionId)","qty":\#(qty)}"#
            return classify(try await api.raw(.POST, "/book", token: token, json: body), units: qty)
        } catch {
            return .error("\(error)")
        }
    }
}
