import Foundation
import PostgresNIO
import TestSupport
import Testing

/// `boxoffice replay …` as a user runs it, against a real server's database.
@Suite("Replay command (end to end)", .serialized)
struct ReplayCommandTests {
    @Test func timelineAsOfVerifyDriftAndRecord() async throws {
        let database = try await TestDatabase.freshDatabase()
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], environment: ["DATABASE_URL": database])
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 2, seatsPerRow: 5)
        let user = try await scenario.user()
        let held = try await HTTP.send(
            .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
            json: ["seats": ["A1", "A2"]])
        let booking = try #require(held.json["id"] as? String)
        _ = try await HTTP.send(.POST, "\(server.baseURL)/bookings/\(booking)/confirm", token: user.token)
        _ = try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["B5"]])

        let verified = try await CommandRun.boxoffice(["replay", "session", session, "--verify"], environment: ["DATABASE_URL": database])
        // The projector repairs a read model that missed events and logs it; the cause of such misses is
        // still being hunted, so show any here.
        for line in server.log().split(separator: "\n") where line.contains("read model") && line.contains("warning") { print(line) }
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("BookingConfirmed") && verified.output.contains("OK     \(session)"))
        #expect(verified.output.contains("  A    ##..."), "A1 A2 booked in the seat map:\n\(verified.output)")

        let asOf = try await CommandRun.boxoffice(["replay", "session", session, "--as-of", "2", "--json"], environment: ["DATABASE_URL": database])
        #expect(asOf.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(asOf.output.utf8)) as? [String: Any])
        let timeline = try #require(json["timeline"] as? [[String: Any]])
        #expect(
            timeline.map { $0["type"] as? String } == [
                "SessionScheduled", "BookingPlaced", "BookingConfirmed", "TicketIssued", "TicketIssued", "BookingPlaced",
            ])
        #expect((timeline[3]["subject"] as? String)?.hasSuffix("issued for A1") == true, "\(timeline[3])")
        #expect((timeline.last?["counts"] as? [String: Int]) == ["total": 10, "available": 7, "held": 1, "booked": 2])
        let map = try #require(json["seatMap"] as? [String: Any])
        #expect(map["version"] as? Int == 2)
        #expect((map["seats"] as? [[String: Any]])?.first?["status"] as? String == "HELD", "as of version 2, A1 was only held")

        // Corrupt one read-model document: both verify commands must say where, and fail.
        let (client, _) = try await TestDatabase.stores(database)
        try await client.query(
            """
            UPDATE documents SET body = jsonb_set(body, '{summary,booked}', '7') WHERE collection = 'seatmaps' AND id = \(session)
            """, logger: TestDatabase.logger)
        let drift = try await CommandRun.boxoffice(["replay", "session", session, "--verify"], environment: ["DATABASE_URL": database])
        #expect(drift.status == 1)
        #expect(drift.output.contains("seatmaps/\(session): $.summary.booked: 7, log says 2"), "\(drift.output)")
        let all = try await CommandRun.boxoffice(["replay", "verify-all"], environment: ["DATABASE_URL": database])
        #expect(all.status == 1 && all.output.contains("1 sessions with problems"), "\(all.output)")

        let recorded = try await CommandRun.boxoffice(["replay", "record", session], environment: ["DATABASE_URL": database])
        #expect(recorded.status == 0)
        let lines = recorded.output.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })

        let missing = try await CommandRun.boxoffice(["replay", "session", "ses_nothing"], environment: ["DATABASE_URL": database])
        #expect(missing.status != 0)
    }
}
