import Foundation
import TestSupport
import Testing

/// `boxoffice serve --with-workers` with nothing but `MONGODB_URI` added: the projectors write every
/// read model through `MongoDocumentStore` and the query routes read them back, here from the
/// emulated mongod (mongo_emulator.py). Own database, so no other test's projector holds the leases.
@Suite("MongoDB read models end to end (emulated mongod)")
struct MongoEndToEndTests {
    @Test func commandsProjectIntoMongoDBAndQueriesReadFromIt() async throws {
        let emulator = try await MockMongo(script: "mongo_emulator.py", scenario: "emulator")
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["MONGODB_URI": emulator.uri],
            databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 2, seatsPerRow: 10, price: 12.5)
        let event = try await scenario.gaEvent(capacity: 20, price: 9.99)
        let buyer = try await scenario.user("Zoë Ångström")
        let other = try await scenario.user("Ana")

        let held = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: buyer.token, json: ["seats": ["A1", "A2"]])
        let booking = try #require(held.json["id"] as? String)
        #expect(try await HTTP.send(.POST, "\(base)/bookings/\(booking)/confirm", token: buyer.token).status == 200)
        let ga = try await HTTP.send(.POST, "\(base)/book", token: buyer.token, json: ["eventId": event, "qty": 3])
        #expect(ga.status == 201)
        let brief = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: other.token, json: ["seats": ["B1"]])
        let cancelled = try await HTTP.send(.POST, "\(base)/bookings/\(try #require(brief.json["id"] as? String))/cancel", token: other.token)
        let position = try #require(cancelled.json["position"] as? Int)

        let map = try await HTTP.send(.GET, "\(base)/sessions/\(session)/seats?minPosition=\(position)")
        #expect(Int(map.headers.first(name: "X-Read-Model-Position") ?? "") ?? 0 >= position, "the projector caught up through MongoDB")
        let seats = (map.json["seats"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
            $0[$1["id"] as? String ?? ""] = $1["status"] as? String
        }
        #expect(seats.count == 20 && seats["A1"] == "BOOKED" && seats["A2"] == "BOOKED" && seats["B1"] == "AVAILABLE")
        #expect((map.json["summary"] as? [String: Any])?["booked"] as? Int == 2)
        let sections = try await HTTP.send(.GET, "\(base)/events/\(event)?minPosition=\(position)").json["sections"] as? [[String: Any]]
        #expect(sections?.first?["remaining"] as? Int == 17)

        let mine = try await HTTP.reflecting("\(base)/bookings?minPosition=\(position)", position: position, token: buyer.token)
        #expect(Int(mine.headers.first(name: "X-Read-Model-Position") ?? "") ?? 0 >= position, "the bookings projection caught up")
        let items = mine.json["items"] as? [[String: Any]] ?? []
        #expect(items.count == 2 && items.allSatisfy { $0["status"] as? String == "CONFIRMED" })
        #expect(Set(items.compactMap { ($0["amount"] as? NSNumber)?.decimalValue }) == [25, Decimal(string: "29.97")!])
        let cancelledOnes = try await HTTP.reflecting(
            "\(base)/bookings?status=CANCELLED&minPosition=\(position)", position: position, token: server.adminToken)
        #expect((cancelledOnes.json["items"] as? [[String: Any]])?.map { $0["userId"] as? String } == [other.id])
        let user = try await HTTP.reflecting("\(base)/users/\(buyer.id)?minPosition=\(position)", position: position, token: buyer.token)
        #expect(user.json["name"] as? String == "Zoë Ångström")
        let list = try await HTTP.reflecting("\(base)/sessions?limit=1&minPosition=\(position)", position: position)
        #expect((list.json["items"] as? [[String: Any]])?.count == 1 && list.json["nextCursor"] is String, "keyset pages")

        let health = try await HTTP.send(.GET, "\(base)/health", token: server.adminToken)
        let readModels = health.json["readModels"] as? [String: Any]
        #expect(health.status == 200 && readModels?["kind"] as? String == "mongodb" && readModels?["status"] as? String == "up")
        // Projectors and the expiry worker (which sweeps held bookings every 250 ms) ran on MongoDB without a hitch.
        let log = server.log()
        #expect(!log.contains("projection runner interrupted") && !log.contains("expiry sweep failed"), "\(log)")
    }
}
