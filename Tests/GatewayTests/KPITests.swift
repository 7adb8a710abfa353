import Foundation
import TestSupport
import Testing

/// `/kpis`, `/metrics` and the pages against a real server, under real concurrency.
@Suite("KPIs and metrics (end to end)", .serialized)
struct KPITests {
    func kpis(_ server: ServerProcess) async throws -> [String: Any] {
        let reply = try await HTTP.send(.GET, "\(server.baseURL)/kpis")
        #expect(reply.status == 200)
        return reply.json
    }

    @Test func fiftyClientsOnOneSeatAreCountedAsOneSuccessAndFortyNineConflicts() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 4)
        let users = try await scenario.users(50)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for user in users {
                group.addTask {
                    try await HTTP.send(
                        .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                        json: ["seats": ["A1"]]
                    ).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.filter { $0 == 409 }.count == 49)
        // The log, not only the answers: one booking of A1 (a CI run once counted two 201s on the server).
        let fold = HistoryFold(try await scenario.history(session))
        #expect(fold.placed == 1 && fold.doubleBooked.isEmpty && fold.versionsContiguous, "bookings in the log: \(fold.placed)")

        let requests = try #require(try await kpis(server)["requests"] as? [String: Any])
        #expect(requests["attempts"] as? Int == 50)
        #expect(requests["successes"] as? Int == 1)
        #expect(requests["seatConflicts"] as? Int == 49)
        #expect(requests["successRate"] as? Double == 0.02)
        #expect(requests["seatConflictRate"] as? Double == 0.98)
        #expect(requests["inFlight"] as? Int == 1, "only the /kpis request itself")
        #expect((requests["maxInFlight"] as? Int ?? 0) >= 2, "the 50 clients overlapped")
        let reserve = (requests["commands"] as? [[String: Any]])?.first { $0["command"] as? String == "POST /sessions/:id/seats/reserve" }
        #expect(reserve?["count"] as? Int == 50)
        let p50 = try #require(reserve?["p50Ms"] as? Double)
        let p99 = try #require(reserve?["p99Ms"] as? Double)
        #expect(p50 > 0 && p50 <= p99)

        let metrics = try await HTTP.send(.GET, "\(server.baseURL)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)
        #expect(metrics.text.contains(#"boxoffice_reservation_attempts_total{outcome="seat_conflict"} 49"#))
        #expect(metrics.text.contains(#"boxoffice_reservation_attempts_total{outcome="success"} 1"#))
        #expect(
            metrics.text.contains(#"boxoffice_http_requests_total{route="POST /sessions/:id/seats/reserve",status="409",code="seat_unavailable"} 49"#)
        )
        #expect(metrics.text.contains(#"boxoffice_http_request_duration_seconds_count{route="POST /sessions/:id/seats/reserve"} 50"#))
        #expect(metrics.text.contains("boxoffice_optimistic_retries_total"))
        // What an alert needs, from /metrics alone (docs/alerts.yml).
        for line in [
            #"boxoffice_up{component="event_store"} 1"#, #"boxoffice_up{component="read_models"} 1"#,
            #"boxoffice_projection_repairs_total{projection="sessions"} 0"#,
        ] {
            #expect(metrics.text.contains(line), "\(line)")
        }
        for name in [
            "boxoffice_event_store_head_position", #"boxoffice_projection_lag_milliseconds{projection="sessions"}"#,
            #"boxoffice_projection_backlog_events{projection="kpis"}"#, "boxoffice_holds_expired_total", "boxoffice_read_waiters",
            "boxoffice_live_sessions",
        ] {
            #expect(metrics.text.contains(name + " "), "\(name)")
        }
    }

    @Test func bookingKPIsComeFromTheEvents() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 10)
        let user = try await scenario.user()
        func reserve(_ seats: [String], confirm: Bool = false) async throws -> String {
            let reply = try await HTTP.send(
                .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                json: ["seats": seats, "confirm": confirm])
            return try #require(reply.json["id"] as? String)
        }
        let confirmed = try await reserve(["A1", "A2"])
        _ = try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(confirmed)/confirm", token: user.token)
        let cancelled = try await reserve(["A3"])
        _ = try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(cancelled)/cancel", token: user.token)
        _ = try await reserve(["A4"])
        let last = try await HTTP.send(
            .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
            json: ["seats": ["A5", "A6", "A7"], "confirm": true])
        let position = try #require(last.json["position"] as? Int)
        // The KPI projection is asynchronous: wait for it to reach the last position (up to a bound for a
        // loaded machine; it returns as soon as the projection is there).
        var bookings: [String: Any] = [:]
        var sessions: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let kpis = try await kpis(server)
            let kpiLag = (kpis["projections"] as? [[String: Any]])?.first { $0["name"] as? String == "kpis" }
            if (kpiLag?["position"] as? Int ?? 0) >= position {
                bookings = kpis["bookings"] as? [String: Any] ?? [:]
                sessions = kpis["sessions"] as? [[String: Any]] ?? []
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let byStatus = try #require(bookings["byStatus"] as? [String: Int])
        #expect(byStatus == ["HELD": 1, "CONFIRMED": 2, "CANCELLED": 1, "EXPIRED": 0])
        let holds = try #require(bookings["holds"] as? [String: Any])
        #expect(holds["placed"] as? Int == 3 && holds["confirmed"] as? Int == 1 && holds["cancelled"] as? Int == 1)
        #expect(holds["open"] as? Int == 1)
        #expect(holds["conversion"] as? Double == 0.5, "one of the two decided holds was confirmed")
        #expect(bookings["unitsSold"] as? Int == 5)
        // Summed over the minutes: the bookings may straddle a minute's end.
        let minutes = try #require(bookings["salesPerMinute"] as? [[String: Any]])
        #expect(minutes.reduce(0) { $0 + ($1["units"] as? Int ?? 0) } == 5)
        let occupancy = try #require(sessions.first { $0["id"] as? String == session })
        #expect(occupancy["booked"] as? Int == 5 && occupancy["held"] as? Int == 1 && occupancy["capacity"] as? Int == 10)
        #expect(occupancy["occupancy"] as? Double == 0.5)
    }

    @Test func pagesAreServedSelfContained() async throws {
        let server = try await ServerProcess(databaseURL: try await TestDatabase.freshDatabase())
        for path in ["/", "/dashboard"] {
            let page = try await HTTP.send(.GET, "\(server.baseURL)\(path)")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<html"))
            let external = page.text.range(
                of: #"(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|fetch\(\s*["'`]https?:"#,
                options: .regularExpression)
            #expect(external == nil, "\(path) loads nothing from elsewhere: \(external.map { String(page.text[$0]) } ?? "")")
        }
    }
}
