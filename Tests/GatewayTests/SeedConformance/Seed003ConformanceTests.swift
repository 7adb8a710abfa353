import Foundation
import TestSupport
import Testing

/// Seed 003 (`seeds/003…`, GA events) replayed against the real executable: its endpoints A–D with its
/// Event and Booking models field by field, its error cases, and its race (10 parallel buyers, 5 places).
@Suite("Seed 003 conformance (end to end)", .serialized)
struct Seed003ConformanceTests {
    private func server() async throws -> ServerProcess {
        try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
    }

    private func createEvent(_ server: ServerProcess, vip: Int = 5) async throws -> [String: Any] {
        let reply = try await HTTP.send(
            .POST, "\(server.baseURL)/events/create", token: server.adminToken,
            json: [
                "name": "Concert", "sections": [["name": "VIP", "price": 150, "capacity": vip], ["name": "General", "price": 50, "capacity": 100]],
            ])
        #expect(reply.status == 201, "\(reply.text)")
        return reply.json
    }

    @Test func eventsAndBookingsCarryEveryFieldOfItsModels() async throws {
        let server = try await server()
        let base = server.baseURL
        // A. Create Event: the event with its sections, capacity and initial remaining.
        let created = try await createEvent(server)
        let eventId = try #require(created["id"] as? String)
        #expect(created["_id"] as? String == eventId && created["name"] as? String == "Concert")
        #expect(created["title"] == nil, "003's words only")
        let sections = try #require(created["sections"] as? [[String: Any]])
        #expect(sections.map { $0["name"] as? String } == ["VIP", "General"])
        #expect(sections.allSatisfy { $0["_id"] is String && $0["id"] as? String == $0["_id"] as? String && $0["price"] is NSNumber })
        #expect(sections.map { $0["remaining"] as? Int } == [5, 100] && sections.map { $0["capacity"] as? Int } == [5, 100])
        let vip = try #require(sections.first?["_id"] as? String)

        // C. Create Booking.
        let (_, token) = try await Scenario(baseURL: base, adminToken: server.adminToken).user()
        let booked = try await HTTP.send(.POST, "\(base)/book", token: token, json: ["eventId": eventId, "sectionId": vip, "qty": 3])
        #expect(booked.status == 201, "\(booked.text)")
        let booking = booked.json
        #expect(booking["_id"] is String && booking["eventId"] as? String == eventId && booking["sessionId"] == nil)
        #expect(booking["sectionId"] as? String == vip && booking["qty"] as? Int == 3 && booking["createdAt"] is String)
        #expect(booking["remaining"] as? Int == 2)

        // B. Get Event: remaining went down.
        let event = try await HTTP.send(.GET, "\(base)/events/\(eventId)")
        #expect(event.status == 200 && event.json["name"] as? String == "Concert" && event.json["_id"] as? String == eventId)
        #expect((event.json["sections"] as? [[String: Any]])?.first?["remaining"] as? Int == 2)

        // Not enough left: a clear error with what remains.
        let refused = try await HTTP.send(.POST, "\(base)/book", token: token, json: ["eventId": eventId, "sectionId": vip, "qty": 3])
        #expect(refused.status == 409 && refused.errorCode == "insufficient_capacity")
        #expect((refused.json["error"] as? [String: Any])?["remaining"] as? Int == 2)

        // D. List Bookings with event and section info (asked by eventId: 003's words).
        let position = booking["position"] as? Int ?? 0
        let listed = try await HTTP.reflecting(
            "\(base)/bookings?eventId=\(eventId)&minPosition=\(position)", position: position, token: server.adminToken)
        let item = try #require((listed.json["items"] as? [[String: Any]])?.first)
        #expect(item["eventId"] as? String == eventId && item["sessionId"] == nil && item["qty"] as? Int == 3)
        #expect((item["event"] as? [String: Any])?["name"] as? String == "Concert")
        #expect((item["section"] as? [String: Any])?["name"] as? String == "VIP")
        // Boxoffice's own list keeps Boxoffice's words.
        let own = try await HTTP.send(.GET, "\(base)/bookings", token: server.adminToken)
        #expect((own.json["items"] as? [[String: Any]])?.first?["sessionId"] as? String == eventId)
    }

    @Test func badBookingsAreClearErrors() async throws {
        let server = try await server()
        let base = server.baseURL
        let eventId = try #require(try await createEvent(server)["id"] as? String)
        let (_, token) = try await Scenario(baseURL: base, adminToken: server.adminToken).user()
        func book(_ body: [String: Any], token: String? = token) async throws -> Reply {
            try await HTTP.send(.POST, "\(base)/book", token: token, json: body)
        }
        #expect(try await book(["eventId": eventId, "sectionId": "s1", "qty": 0]).status == 400)
        #expect(try await book(["eventId": eventId, "sectionId": "s1"]).status == 400)
        #expect(try await book(["eventId": eventId, "qty": 1]).status == 400, "two sections: sectionId is needed")
        #expect(try await book(["eventId": eventId, "sectionId": "nosuch", "qty": 1]).status == 404)
        #expect(try await book(["eventId": "evt_nosuchevent", "sectionId": "s1", "qty": 1]).status == 404)
        #expect(try await HTTP.send(.GET, "\(base)/events/evt_nosuchevent").status == 404)
        #expect(try await book(["eventId": eventId, "sectionId": "s1", "qty": 1], token: nil).status == 401)
        #expect(
            try await HTTP.send(.POST, "\(base)/events/create", token: server.adminToken, json: ["name": "X", "sections": [[String: Any]]()]).status
                == 400)
    }

    /// 003's race script: 10 parallel bookings of one section with 5 places left.
    @Test func tenParallelBuyersFivePlacesNeverOversell() async throws {
        let server = try await server()
        let base = server.baseURL
        let eventId = try #require(try await createEvent(server)["id"] as? String)
        let users = try await Scenario(baseURL: base, adminToken: server.adminToken).users(10)
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for user in users {
                group.addTask {
                    try await HTTP.send(.POST, "\(base)/book", token: user.token, json: ["eventId": eventId, "sectionId": "s1", "qty": 1])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 5)
        #expect(replies.filter { $0.status == 409 && $0.errorCode == "insufficient_capacity" }.count == 5)
        #expect(replies.compactMap { $0.json["remaining"] as? Int }.allSatisfy { $0 >= 0 }, "remaining never goes below 0")
        let fold = HistoryFold(try await Scenario(baseURL: base, adminToken: server.adminToken).history(eventId), capacity: 5)
        #expect(fold.placed == 5 && fold.gaTaken <= 5 && fold.lowestGARemaining == 0 && fold.versionsContiguous)
        let event = try await HTTP.send(.GET, "\(base)/events/\(eventId)")
        #expect((event.json["sections"] as? [[String: Any]])?.first?["remaining"] as? Int == 0)
    }
}
