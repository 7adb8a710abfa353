import Foundation
import TestSupport
import Testing

/// A lookup by id right after its creation is answered, not 404: a miss waits (bounded) until the read
/// model has applied everything committed before the request.
@Suite("Lookups right after creation (end to end)", .serialized)
struct LookupAfterCreateTests {
    @Test func thirtyCreationsEachFoundAtOnce() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.stop() }
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: postgres.url)
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 3, seatsPerRow: 10)
        var misses: [String] = []
        for index in 0..<30 {
            let user = try await scenario.user()
            let userReply = try await HTTP.send(.GET, "\(server.baseURL)/users/\(user.id)", token: user.token)
            if userReply.status != 200 { misses.append("user \(index): \(userReply.status)") }
            let seat = "\(["A", "B", "C"][index / 10])\(index % 10 + 1)"
            let held = try await HTTP.send(
                .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                json: ["seats": [seat]])
            let booking = try #require(held.json["id"] as? String)
            let bookingReply = try await HTTP.send(.GET, "\(server.baseURL)/bookings/\(booking)", token: user.token)
            if bookingReply.status != 200 { misses.append("booking \(index): \(bookingReply.status)") }
            let hall = try await HTTP.send(
                .POST, "\(server.baseURL)/halls", token: server.adminToken,
                json: [
                    "name": "Hall \(index)", "sections": [["id": "main", "name": "Main", "price": 10, "rows": [["row": "A", "seats": 2]]]],
                ])
            let hallId = try #require(hall.json["id"] as? String)
            let hallReply = try await HTTP.send(.GET, "\(server.baseURL)/halls/\(hallId)")
            if hallReply.status != 200 { misses.append("hall \(index): \(hallReply.status)") }
        }
        #expect(misses.isEmpty, "\(misses)")
        let unknown = try await HTTP.send(.GET, "\(server.baseURL)/halls/hall_neverexisted")
        #expect(unknown.status == 404)
    }

    /// Run 9 of a ten-run series on a machine doubly loaded: a projector more than the 2 s wait behind made
    /// a hall that exists answer 404. While the read model is behind, a miss is a 503 to retry.
    @Test func aMissWhileTheReadModelIsBehindIsA503NotA404() async throws {
        let database = try await TestDatabase.freshDatabase()
        let server = try await ServerProcess(databaseURL: database)
        let hall = try await HTTP.send(
            .POST, "\(server.baseURL)/halls", token: server.adminToken,
            json: ["name": "Hall", "sections": [["id": "main", "name": "Main", "price": 10, "rows": [["row": "A", "seats": 2]]]]])
        let hallId = try #require(hall.json["id"] as? String)
        // No projector runs: the halls read model stays behind the log.
        for path in ["/halls/\(hallId)", "/halls/hall_neverexisted"] {
            let behind = try await HTTP.send(.GET, server.baseURL + path)
            #expect(behind.status == 503 && behind.errorCode == "unavailable", "\(path): \(behind.text)")
            #expect(behind.headers.first(name: "Retry-After") == "1")
        }
        let projector = try await ServerProcess(arguments: ["project"], databaseURL: database, waitForHealth: false)
        defer { projector.stop() }
        var found = 0
        let until = ContinuousClock.now + .seconds(60)
        while found != 200, ContinuousClock.now < until {
            found = try await HTTP.send(.GET, "\(server.baseURL)/halls/\(hallId)").status
            if found != 200 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(found == 200)
        #expect(try await HTTP.send(.GET, "\(server.baseURL)/halls/hall_neverexisted").status == 404)
    }
}
