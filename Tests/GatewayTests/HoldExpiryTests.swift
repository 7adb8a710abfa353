import Foundation
import TestSupport
import Testing

/// Holds that always end: the expiry worker, expiry inside decisions, and confirms racing expiry.
@Suite("Hold expiry (end to end)", .serialized)
struct HoldExpiryTests {
    func bookingStatus(_ server: ServerProcess, _ id: String, token: String) async throws -> String? {
        try await HTTP.send(.GET, "\(server.baseURL)/bookings/\(id)", token: token).json["status"] as? String
    }

    /// Parses the server's timestamps, with or without fractional seconds.
    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        return (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
    }

    /// Polls `condition` until it holds or `limit` passes: a bound for a loaded machine, not a measurement.
    static func eventually(_ limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test func anUnconfirmedHoldIsExpiredByTheWorkerSoonAfterItsDeadline() async throws {
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["HOLD_TTL": "2"],
            databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 4)
        let user = try await scenario.user()
        let held = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A2"]])
        let booking = try #require(held.json["id"] as? String)
        let deadline = try #require(Self.date(held.json["holdExpiresAt"]))
        // Judged by what the log recorded, not by when this test happened to look: a busy machine may delay
        // the test's polling, but not the recorded time of the expiry.
        var expiry: [String: Any]?
        _ = try await Self.eventually {
            expiry = try await scenario.history(session).first {
                $0["type"] as? String == "HoldExpired" && ($0["data"] as? [String: Any])?["bookingId"] as? String == booking
            }
            return expiry != nil
        }
        let expired = try #require(expiry, "no HoldExpired for \(booking) within 60 s")
        let recorded = try #require(Self.date(expired["recordedAt"]))
        // The spec asks for about a second after the deadline; 10 s leaves room for a loaded 2-core machine
        // and still fails a worker that waits for something else (a full TTL, a restart).
        #expect(recorded >= deadline.addingTimeInterval(-0.01), "expired \(deadline.timeIntervalSince(recorded)) s before its deadline")
        #expect(recorded <= deadline.addingTimeInterval(10), "expired \(recorded.timeIntervalSince(deadline)) s after its deadline")
        // The read models follow the log: the seat is free and the booking reads EXPIRED.
        let position = try #require(expired["position"] as? Int)
        var seen: (seat: String?, booking: String?)
        let released = try await Self.eventually {
            let map = try await HTTP.send(.GET, "\(server.baseURL)/sessions/\(session)/seats?minPosition=\(position)")
            seen.seat = (map.json["seats"] as? [[String: Any]])?.first { $0["id"] as? String == "A2" }?["status"] as? String
            seen.booking = try await bookingStatus(server, booking, token: user.token)
            return seen.seat == "AVAILABLE" && seen.booking == "EXPIRED"
        }
        #expect(released, "seat A2 and the booking after the expiry: \(seen)")
        let late = try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(booking)/confirm", token: user.token)
        #expect(late.status == 409 && late.errorCode == "hold_expired")
    }

    @Test func aDueHoldIsReleasedByTheNextReservationWithoutAnyWorker() async throws {
        let server = try await ServerProcess(environment: ["HOLD_TTL": "1"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 2)
        let first = try await scenario.user()
        let second = try await scenario.user()
        let hold = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: first.token, json: ["seats": ["A1"]])
        #expect(hold.status == 201)
        let deadline = try #require(Self.date(hold.json["holdExpiresAt"]))
        // Past the hold's own deadline (the server's clock, which this machine shares), however long the reply took.
        try await Task.sleep(for: .milliseconds(max(0, Int(deadline.timeIntervalSinceNow * 1_000)) + 200))
        let taken = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: second.token, json: ["seats": ["A1"]])
        #expect(taken.status == 201)
        let history = try await scenario.history(session)
        #expect(history.suffix(2).map { $0["type"] as? String } == ["HoldExpired", "BookingPlaced"])
        // At once, not after a worker pass: the expiry was recorded by the reservation itself, in its own
        // transaction (one commit time, one request's correlation id).
        let expiry = history.suffix(2).first
        let placed = history.last
        #expect(expiry?["recordedAt"] as? String == placed?["recordedAt"] as? String, "one transaction")
        let correlation = { (entry: [String: Any]?) in (entry?["metadata"] as? [String: Any])?["correlationId"] as? String }
        #expect(correlation(expiry) != nil && correlation(expiry) == correlation(placed), "recorded by the reservation's request")
    }

    @Test func confirmsRacingTheirExpiryEndConfirmedOrExpiredNeverBoth() async throws {
        let database = try await TestDatabase.freshDatabase()
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], environment: ["HOLD_TTL": "4"], databaseURL: database)
        let extraWorker = try await ServerProcess(arguments: ["expire"], databaseURL: database, waitForHealth: false)
        defer { extraWorker.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 4, seatsPerRow: 25)
        let users = try await scenario.users(100)
        let seats = ["A", "B", "C", "D"].flatMap { row in (1...25).map { "\(row)\($0)" } }
        let holds = try await withThrowingTaskGroup(of: (String, String, String, Date).self) { group in
            for (index, user) in users.enumerated() {
                group.addTask {
                    let reply = try await HTTP.send(
                        .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                        json: ["seats": [seats[index]]])
                    let deadline = (reply.json["holdExpiresAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) }
                    return (reply.json["id"] as? String ?? "", user.token, seats[index], deadline ?? .distantPast)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(holds.allSatisfy { !$0.0.isEmpty && $0.3 != .distantPast })
        // Each confirm is aimed at its own hold's deadline, from 3.5 s before to 0.5 s after it (so the
        // confirms straddle the deadline however long placing the holds took, and however slow a loaded
        // machine answers), while two expiry workers sweep.
        let answers = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
            for (index, hold) in holds.enumerated() {
                group.addTask {
                    let at = hold.3.addingTimeInterval(Double(index * 40 - 3_500) / 1_000)
                    try await Task.sleep(for: .milliseconds(max(0, Int(at.timeIntervalSinceNow * 1_000))))
                    return (hold.0, try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(hold.0)/confirm", token: hold.1))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.values.allSatisfy { $0.status == 200 || ($0.status == 409 && $0.errorCode == "hold_expired") })
        #expect(
            answers.values.contains { $0.status == 200 } && answers.values.contains { $0.status == 409 },
            "the confirms straddle the deadline: \(answers.values.map { "\($0.status)" }.joined(separator: ","))")
        // Every hold ends in the log (the workers expire the unconfirmed ones about a second after their
        // deadline), and the seat map then follows the log; both polled up to a bound for a loaded machine.
        var terminal: [String: [String]] = [:]
        var lastPosition = 0
        _ = try await Self.eventually {
            terminal = [:]
            for entry in try await scenario.history(session) {
                lastPosition = max(lastPosition, entry["position"] as? Int ?? 0)
                guard let type = entry["type"] as? String, ["BookingConfirmed", "HoldExpired"].contains(type),
                    let id = (entry["data"] as? [String: Any])?["bookingId"] as? String
                else { continue }
                terminal[id, default: []].append(type)
            }
            return holds.allSatisfy { terminal[$0.0] != nil }
        }
        var statusBySeat: [String: String] = [:]
        _ = try await Self.eventually {
            let map = try await HTTP.send(.GET, "\(server.baseURL)/sessions/\(session)/seats?minPosition=\(lastPosition)")
            statusBySeat = Dictionary(
                uniqueKeysWithValues: (map.json["seats"] as? [[String: Any]] ?? []).map {
                    ($0["id"] as! String, $0["status"] as! String)
                })
            return !statusBySeat.values.contains("HELD")
        }
        // Read once more, so an ending recorded after the first (a confirm and an expiry both) is seen too.
        terminal = [:]
        for entry in try await scenario.history(session) {
            guard let type = entry["type"] as? String, ["BookingConfirmed", "HoldExpired"].contains(type),
                let id = (entry["data"] as? [String: Any])?["bookingId"] as? String
            else { continue }
            terminal[id, default: []].append(type)
        }
        for (booking, _, seat, _) in holds {
            let outcome = terminal[booking] ?? []
            #expect(outcome.count == 1, "\(booking) ended \(outcome)")
            let confirmed = answers[booking]?.status == 200
            #expect(outcome == [confirmed ? "BookingConfirmed" : "HoldExpired"])
            #expect(statusBySeat[seat] == (confirmed ? "BOOKED" : "AVAILABLE"), "seat \(seat)")
        }
    }
}
