import Foundation

/// Set-up and correctness checks shared by the seated workloads (W1, W2).
enum SeatedSetup {
    /// One hall of `geometry` and `count` sessions in it, created through the admin API.
    static func sessions(_ api: APIClient, admin: String, geometry: SeatGeometry, count: Int) async throws -> [String] {
        let hall = try await api.expect(
            201, .POST, "/halls", token: admin,
            body: geometry.hallBody(name: "Load hall \(UUID().uuidString.prefix(8))"))
        guard let hallId = hall.json["id"] as? String else { throw APIClient.Failure(description: "no hall id") }
        return try await inParallel(count, width: 16) { index in
            let session = try await api.expect(
                201, .POST, "/sessions", token: admin,
                body: [
                    "title": "Load \(index)", "hallId": hallId, "startsAt": "2026-12-24T20:00:00Z",
                ])
            guard let id = session.json["id"] as? String else { throw APIClient.Failure(description: "no session id") }
            return id
        }
    }

    /// Waits (set-up, untimed) until the seat-map read model of `session` exists.
    static func waitForSeatMap(_ api: APIClient, _ session: String) async throws {
        try await waitFor200(api, "/sessions/\(session)/seats")
    }

    static func waitFor200(_ api: APIClient, _ path: String) async throws {
        for _ in 0..<300 {
            if try await api.raw(.GET, path, token: nil).status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw APIClient.Failure(description: "\(path) never answered 200")
    }

    /// Waits until every projection has applied the whole log (`/health` shows no backlog), so the checks
    /// compare the read models with the log rather than with a projector that is still catching up.
    static func waitForProjections(_ api: APIClient, admin: String) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let health = try await api.send(.GET, "/health", token: admin)
            let projections = health.json["projections"] as? [[String: any Sendable]] ?? []
            if !projections.isEmpty, projections.allSatisfy({ ($0["lagEvents"] as? Double) == 0 }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw APIClient.Failure(description: "the projections did not catch up within 120 s")
    }

    struct SeatMapSummary: Decodable {
        struct Summary: Decodable {
            var available: Int
            var held: Int
            var booked: Int
        }
        var summary: Summary
    }

    /// WORKLOADS.md's W1/W2 checks, from the event log (history) and the read models.
    static func check(
        _ api: APIClient, admin: String, sessions: [String], stats: ClientStats
    )
        async throws -> (facts: [String: Int], checks: [LoadCheck])
    {
        let folds = try await inParallel(sessions.count, width: 8) { index in
            try await LogFold.read(api, admin: admin, session: sessions[index])
        }
        let lastPosition = folds.map(\.lastPosition).max() ?? 0
        try await waitForProjections(api, admin: admin)
        // The read models, once they have applied the whole log (read your writes).
        let maps = try await inParallel(sessions.count, width: 8) { index in
            try await api.raw(.GET, "/sessions/\(sessions[index])/seats?minPosition=\(lastPosition)", token: nil)
                .decode(SeatMapSummary.self).summary
        }
        let sold = folds.map(\.activeSeats.count).reduce(0, +)
        let placed = folds.map(\.bookingsPlaced).reduce(0, +)
        let twice = folds.flatMap(\.seatsBookedTwice)
        let readModelTaken = maps.map { $0.held + $0.booked }.reduce(0, +)
        let facts = ["seatsSold": sold, "bookingsInLog": placed, "seatsTakenInReadModel": readModelTaken, "sessions": sessions.count]
        return (
            facts,
            [
                LoadCheck(name: "no seat reserved twice", ok: twice.isEmpty, detail: twice.isEmpty ? "none" : "\(twice.prefix(10))"),
                LoadCheck(name: "seats sold == 2 x successes", ok: sold == 2 * stats.successes, detail: "\(sold) sold, \(stats.successes) successes"),
                LoadCheck(name: "bookings in the log == successes", ok: placed == stats.successes, detail: "\(placed) bookings"),
                LoadCheck(name: "versions gapless", ok: folds.allSatisfy(\.versionsContiguous), detail: "\(sessions.count) streams"),
                LoadCheck(
                    name: "read model agrees with the log", ok: readModelTaken == sold,
                    detail: "\(readModelTaken) seats taken in the seat maps"),
                try await repairsCheck(api, admin: admin),
            ]
        )
    }

    /// The projectors never had to repair a read model that missed events (`/health`'s `repairs`, summed
    /// over the projections since the database was created).
    static func repairsCheck(_ api: APIClient, admin: String) async throws -> LoadCheck {
        let health = try await api.send(.GET, "/health", token: admin)
        let projections = health.json["projections"] as? [[String: any Sendable]] ?? []
        let counts = projections.compactMap { $0["repairs"] as? Double }
        guard counts.count == projections.count, !projections.isEmpty else {
            return LoadCheck(name: "no read-model repairs", ok: false, detail: "/health reports no repair counts")
        }
        let total = Int(counts.reduce(0, +))
        return LoadCheck(name: "no read-model repairs", ok: total == 0, detail: "\(total) repairs")
    }
}
