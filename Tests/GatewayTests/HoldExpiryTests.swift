import Foundation
import Testing
import TestSupport

/// Holds that always end: the expiry worker, expiry inside decisions, and confirms racing expiry.
@Suite("Hold expiry (end to end)", .serialized)
struct HoldExpiryTests {
    func bookingStatus(_ server: ServerProcess, _ id: String, token: String) async throws -> String? {
        try await HTTP.send(.GET, "\(server.baseURL)/bookings/\(id)", token: token).json["status"] as? String
    }

    @Test func anUnconfirmedHoldExpiresWithinTTLPlusTwoSeconds() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], environment: ["HOLD_TTL": "2"],
                                             databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 4)
        let user = try await scenario.user()
        let held = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A2"]])
        let booking = try #require(held.json["id"] as? String)
        let started = ContinuousClock.now
        var released = false
        while ContinuousClock.now - started < .seconds(4) {
            let map = try await HTTP.send(.GET, "\(server.baseURL)/sessions/\(session)/seats")
            let seat = (map.json["seats"] as? [[String: Any]])?.first { $0["id"] as? String == "A2" }
            if seat?["status"] as? String == "AVAILABLE", try await bookingStatus(server, booking, token: user.token) == "EXPIRED" {
                released = true
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(released, "seat AVAILABLE and booking EXPIRED within TTL + 2 s")
        let late = try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(booking)/confirm", token: user.token)
        #expect(late.status == 409 && late.errorCode == "hold_expired")
    }

    @Test func aDueHoldIsReleasedByTheNextReservationWithoutAnyWorker() async throws {
        let server = try await ServerProcess(environment: ["HOLD_TTL": "1"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 2)
        let first = try await scenario.user(), second = try await scenario.user()
        #expect(try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: first.token,
                                    json: ["seats": ["A1"]]).status == 201)
        try await Task.sleep(for: .milliseconds(1_200))
        let started = ContinuousClock.now
        let taken = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: second.token, json: ["seats": ["A1"]])
        #expect(taken.status == 201)
        #expect(ContinuousClock.now - started < .seconds(1), "at once, not after a worker pass")
        let types = try await scenario.history(session).map { $0["type"] as? String }
        #expect(types.suffix(2) == ["HoldExpired", "BookingPlaced"])
    }

    @Test func confirmsRacingTheirExpiryEndConfirmedOrExpiredNeverBoth() async throws {
        let database = try await TestDatabase.freshDatabase()
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], environment: ["HOLD_TTL": "2"], databaseURL: database)
        let extraWorker = try await ServerProcess(arguments: ["expire"], databaseURL: database, waitForHealth: false)
        defer { extraWorker.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 4, seatsPerRow: 25)
        let users = try await scenario.users(100)
        let seats = ["A", "B", "C", "D"].flatMap { row in (1...25).map { "\(row)\($0)" } }
        let holds = try await withThrowingTaskGroup(of: (String, String, String, Date).self) { group in
            for (index, user) in users.enumerated() {
                group.addTask {
                    let reply = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                                                    json: ["seats": [seats[index]]])
                    let deadline = (reply.json["holdExpiresAt"] as? String).flatMap { try? Date($0, strategy: .iso8601) }
                    return (reply.json["id"] as? String ?? "", user.token, seats[index], deadline ?? .distantPast)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(holds.allSatisfy { !$0.0.isEmpty && $0.3 != .distantPast })
        // Each confirm is aimed at its own hold's deadline, from 300 ms before to 300 ms after it (so the
        // confirms straddle the deadline however long placing the holds took), while two expiry workers sweep.
        let answers = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
            for (index, hold) in holds.enumerated() {
                group.addTask {
                    let at = hold.3.addingTimeInterval(Double(index * 6 - 300) / 1_000)
                    try await Task.sleep(for: .milliseconds(max(0, Int(at.timeIntervalSinceNow * 1_000))))
                    return (hold.0, try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(hold.0)/confirm", token: hold.1))
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.values.allSatisfy { $0.status == 200 || ($0.status == 409 && $0.errorCode == "hold_expired") })
        #expect(answers.values.contains { $0.status == 200 } && answers.values.contains { $0.status == 409 },
                "the confirms straddle the deadline")
        try await Task.sleep(for: .seconds(2))

        var terminal: [String: [String]] = [:]
        for entry in try await scenario.history(session) {
            guard let type = entry["type"] as? String, ["BookingConfirmed", "HoldExpired"].contains(type),
                  let id = (entry["data"] as? [String: Any])?["bookingId"] as? String else { continue }
            terminal[id, default: []].append(type)
        }
        let map = try await HTTP.send(.GET, "\(server.baseURL)/sessions/\(session)/seats")
        let statusBySeat = Dictionary(uniqueKeysWithValues: (map.json["seats"] as? [[String: Any]] ?? []).map {
            ($0["id"] as! String, $0["status"] as! String)
        })
        for (booking, _, seat, _) in holds {
            let outcome = terminal[booking] ?? []
            #expect(outcome.count == 1, "\(booking) ended \(outcome)")
            let confirmed = answers[booking]?.status == 200
            #expect(outcome == [confirmed ? "BookingConfirmed" : "HoldExpired"])
            #expect(statusBySeat[seat] == (confirmed ? "BOOKED" : "AVAILABLE"), "seat \(seat)")
        }
    }
}
