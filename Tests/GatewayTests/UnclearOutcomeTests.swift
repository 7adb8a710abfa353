import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// A booking whose append is cut off (the request's time runs out while the log is locked) is never
/// answered as a plain failure: the gateway says the outcome is unknown and names the booking, which
/// the log then shows was recorded once.
@Suite("Unclear outcomes (end to end)", .serialized)
struct UnclearOutcomeTests {
    @Test func aBookingCutOffByALockedLogIsNamedAndRecordedOnce() async throws {
        let database = try await TestDatabase.freshDatabase()
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["REQUEST_TIMEOUT": "2"],
            databaseURL: database)
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let event = try await scenario.gaEvent(capacity: 10)
        let user = try await scenario.user()

        let (client, store) = try await TestDatabase.stores(database)
        let locked = Mutex(false)
        let release = AsyncStream<Void>.makeStream()
        let locker = Task {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                try await connection.query("LOCK TABLE events IN EXCLUSIVE MODE", logger: TestDatabase.logger)
                locked.withLock { $0 = true }
                for await _ in release.stream { break }
                try await connection.query("COMMIT", logger: TestDatabase.logger)
            }
        }
        while !locked.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }

        let cutOff = try await HTTP.send(.POST, "\(server.baseURL)/book", token: user.token, json: ["eventId": event, "qty": 1])
        release.continuation.yield()
        try await locker.value
        #expect(cutOff.status == 503)
        let error = cutOff.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "outcome_unknown")
        let booking = try #require(error?["bookingId"] as? String, "the answer names the booking to look up")

        // The client looks the booking up instead of booking again.
        var found = 0
        for _ in 0..<300 where found != 200 {
            found = try await HTTP.send(.GET, "\(server.baseURL)/bookings/\(booking)", token: user.token).status
            if found != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(found == 200, "the cut-off booking was recorded")
        let placed = try await store.readStream("session-\(event)", after: 0).filter { $0.type == "BookingPlaced" }
        #expect(placed.count == 1)
        try await client.query("SELECT 1", logger: TestDatabase.logger)
    }
}
