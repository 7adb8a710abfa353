import Commands
import EventStore
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import TestSupport
import Testing

@Suite("Seat maps and GA remaining served live")
struct LiveSeatMapTests {
    let harness = Harness()

    @Test func aHoldShowsAtOnceWithAnETagAndACompactForm() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let before = try await api.call(.get, "/sessions/\(session)/seats")
            #expect(before.status == 200)
            let firstTag = try #require(before.headers[.eTag])

            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"]])
            #expect(held.status == 201)
            let position = try #require(held.json["position"] as? Int)
            // No minPosition, no wait: the answer already holds the gateway's own commit.
            let after = try await api.call(.get, "/sessions/\(session)/seats")
            let seats = after.json["seats"] as? [[String: Any]] ?? []
            #expect(seats.filter { $0["status"] as? String == "HELD" }.compactMap { $0["id"] as? String } == ["A1", "A2"])
            #expect(Int(after.headers[HTTPField.Name("X-Read-Model-Position")!] ?? "") ?? 0 >= position)
            let tag = try #require(after.headers[.eTag])
            #expect(tag != firstTag)

            let unchanged = try await api.call(.get, "/sessions/\(session)/seats", headers: ["If-None-Match": tag])
            #expect(unchanged.status == 304 && unchanged.body.isEmpty && unchanged.headers[.eTag] == tag)
            #expect(try await api.call(.get, "/sessions/\(session)/seats", headers: ["If-None-Match": firstTag]).status == 200)

            let compact = try await api.call(.get, "/sessions/\(session)/seats?format=compact")
            #expect(compact.status == 200 && compact.json["format"] as? String == "compact")
            let rows = compact.json["rows"] as? [[String: Any]] ?? []
            #expect(rows.map { $0["seats"] as? String } == ["HHAA", "AAAA"])
            #expect(compact.headers[.eTag] != tag, "each representation has its own tag")
            let summary = compact.json["summary"] as? [String: Int]
            #expect(summary?["held"] == 2 && summary?["available"] == 6)

            let bad = try await api.call(.get, "/sessions/\(session)/seats?format=xml")
            #expect(bad.status == 400 && bad.errorCode == "invalid_request")
        }
    }

    @Test func aSessionOrEventIsReadableRightAfterItIsCreated() async throws {
        try await harness.run { api in
            for _ in 0..<10 {
                let session = try await api.session()
                #expect(try await api.call(.get, "/sessions/\(session)").status == 200)
                let event = try await api.event(capacity: 7)
                let user = try await api.user()
                let booked = try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 3])
                #expect(booked.status == 201)
                let view = try await api.call(.get, "/events/\(event)")
                #expect(view.status == 200)
                let sections = view.json["sections"] as? [[String: Any]] ?? []
                #expect(sections.first?["remaining"] as? Int == 4, "GA remaining right after the booking")
            }
            #expect(try await api.call(.get, "/sessions/ses_doesnotexist").status == 404)
            #expect(try await api.call(.get, "/sessions/ses_doesnotexist/seats?minPosition=999999999").status == 400)
        }
    }

    /// Another gateway process's booking reaches a map this gateway already holds, with no wait.
    @Test func anotherGatewaysCommitIsShownByTheNextAnswer() async throws {
        try await harness.run { api in
            let session = try await api.session()
            #expect(try await api.call(.get, "/sessions/\(session)/seats").status == 200, "this gateway now holds the map")
            let other = Backend(
                store: try await TestDatabase.store(),
                documents: PostgresDocumentStore(client: TestDatabase.client, logger: TestDatabase.logger),
                // Like the harness's, a time-out for a loaded 2-core machine running the whole suite at once.
                settings: GatewaySettings(adminToken: Harness.admin, gatewayId: "other", requestTimeout: .seconds(60)))
            let placed = try await other.sessionCommands.execute(
                .holdSeats(
                    HoldSeats(
                        bookingId: "bk_other\(UInt32.random(in: 0...UInt32.max))", userId: "usr_x", seats: ["B4"],
                        confirm: true, holdTTL: 60)),
                on: Streams.session(session), metadata: EventMetadata(correlationId: "t"))
            let answer = try await api.call(.get, "/sessions/\(session)/seats")
            let seat = (answer.json["seats"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "B4" }
            #expect(seat?["status"] as? String == "BOOKED")
            #expect(Int(answer.headers[HTTPField.Name("X-Read-Model-Position")!] ?? "") ?? 0 >= placed.position)
        }
    }
}
