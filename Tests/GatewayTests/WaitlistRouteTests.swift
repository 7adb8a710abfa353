import Foundation
import TestSupport
import Testing

/// Issue 17, item 2 over HTTP: `/sessions/:id/waitlist` and `/offers/:id/accept`.
@Suite("Waiting lists (routes)")
struct WaitlistRouteTests {
    let harness = Harness()

    @Test func aWaiterIsOfferedAFreedSeatAcceptsItAndOthersSeeOnlyTheirOwnPlace() async throws {
        try await harness.run { api in
            let hall = try await api.hall(rows: [["row": "A", "seats": 2]])
            let session = try await api.session(hall: hall)
            let (owner, first, second) = (try await api.user(), try await api.user(), try await api.user())
            let list = "/sessions/\(session)/waitlist"
            let early = try await api.call(.post, list, token: first.token, json: ["count": 1])
            #expect(early.status == 409 && early.errorCode == "places_available" && early.error["available"] as? Int == 2)
            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["A1", "A2"]])
            let booking = try #require(held.json["id"] as? String)

            let joined = try await api.call(.post, list, token: first.token, json: ["count": 1])
            #expect(joined.status == 201 && joined.json["place"] as? Int == 1 && joined.json["waiting"] as? Int == 1)
            let behind = try await api.call(.post, list, token: second.token, json: ["count": 2])
            #expect(behind.json["place"] as? Int == 2 && behind.json["waiting"] as? Int == 2)
            #expect(try await api.call(.post, list, token: first.token, json: ["count": 1]).errorCode == "already_exists")
            #expect(try await api.call(.post, list, token: first.token, json: ["count": 11]).status == 400)
            #expect(try await api.call(.post, list, json: ["count": 1]).status == 401)
            #expect(try await api.call(.post, list, token: first.token, json: ["count": 1, "userId": second.id]).status == 403)
            #expect(try await api.call(.get, list, token: second.token).json["entry"].flatMap { ($0 as? [String: Any])?["place"] as? Int } == 2)
            #expect(try await api.call(.get, list, token: owner.token).status == 404, "the owner does not wait")
            let line = try await api.call(.get, list, token: Harness.admin)
            #expect((line.json["items"] as? [[String: Any]])?.map { $0["userId"] as? String } == [first.id, second.id])

            // The owner cancels both seats: the first waiter is offered one; the second's two do not fit after it.
            #expect(try await api.call(.post, "/bookings/\(booking)/cancel", token: owner.token).status == 200)
            let mine = try await api.call(.get, list, token: first.token)
            let offers = try #require(mine.json["offers"] as? [[String: Any]])
            #expect(
                offers.count == 1 && offers[0]["status"] as? String == "HELD" && offers[0]["offered"] as? Bool == true && mine.json["entry"] == nil)
            let offer = try #require(offers[0]["id"] as? String)
            let seat = try #require((offers[0]["seats"] as? [String])?.first)
            let grab = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": [seat]])
            #expect(grab.status == 409 && grab.errorCode == "seat_unavailable", "an offered seat is held for its waiter")
            #expect(try await api.call(.post, "/offers/\(offer)/accept", token: second.token).status == 403)
            let accepted = try await api.call(.post, "/offers/\(offer)/accept", token: first.token)
            #expect(accepted.status == 200 && accepted.json["status"] as? String == "CONFIRMED" && accepted.json["seats"] as? [String] == [seat])

            // The second waiter wanted two; one seat is free, so nothing is offered, and anyone may take it.
            let still = try await api.call(.get, list, token: second.token)
            #expect((still.json["entry"] as? [String: Any])?["place"] as? Int == 1 && (still.json["offers"] as? [Any])?.isEmpty == true)
            let left = try await api.call(.delete, list, token: second.token)
            #expect(left.status == 200 && left.json["waiting"] as? Int == 0)
            #expect(try await api.call(.delete, list, token: second.token).status == 404)
            #expect(
                try await api.call(
                    .post, "/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["A1", "A2"].filter { $0 != seat }]
                ).status == 201)
            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin)
            #expect(
                history.array.map { $0["type"] as? String } == [
                    "SessionScheduled", "BookingPlaced", "WaitlistJoined", "WaitlistJoined", "BookingCancelled", "SeatsOffered",
                    "BookingConfirmed", "TicketIssued", "WaitlistLeft", "BookingPlaced",
                ])
        }
    }

    /// With the expiry worker of a real server: an offer nobody accepts lapses and goes to the next waiter.
    @Test func aLapsedOfferGoesToTheNextWaiter() async throws {
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["WAITLIST_OFFER_SECONDS": "1"],
            databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 1)
        let (owner, first, second) = (try await scenario.user("Owner"), try await scenario.user("First"), try await scenario.user("Second"))
        let held = try await HTTP.send(
            .POST, "\(base)/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["A1"], "confirm": true])
        for waiter in [first, second] {
            #expect(try await HTTP.send(.POST, "\(base)/sessions/\(session)/waitlist", token: waiter.token, json: ["count": 1]).status == 201)
        }
        #expect(try await HTTP.send(.POST, "\(base)/bookings/\(try #require(held.json["id"] as? String))/cancel", token: owner.token).status == 200)
        var offers: [[String: Any]] = []
        let until = ContinuousClock.now + .seconds(30)
        while offers.isEmpty, ContinuousClock.now < until {
            offers = try await HTTP.send(.GET, "\(base)/sessions/\(session)/waitlist", token: second.token).json["offers"] as? [[String: Any]] ?? []
            if offers.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(offers.first?["id"] as? String == "\(session)-offer-2", "the second waiter gets the seat once the first offer lapsed")
        let lapsed = try await HTTP.send(.POST, "\(base)/offers/\(session)-offer-1/accept", token: first.token)
        #expect(lapsed.status == 409 && lapsed.errorCode == "hold_expired")
        // The second offer lapses a second later in turn (nobody accepts it), so only the start is fixed.
        let types = try await scenario.history(session).compactMap { $0["type"] as? String }
        let cancelled = try #require(types.firstIndex(of: "BookingCancelled"))
        #expect(
            Array(types[cancelled...].filter { $0 != "TicketVoided" }.prefix(4)) == [
                "BookingCancelled", "SeatsOffered", "OfferExpired", "SeatsOffered",
            ])
        // The dashboard's figures: nobody waits any more, two offers made, at least the first lapsed.
        var waitlist: [String: Any] = [:]
        while ContinuousClock.now < until {
            waitlist = (try await HTTP.send(.GET, "\(base)/kpis").json["bookings"] as? [String: Any])?["waitlist"] as? [String: Any] ?? [:]
            if ((waitlist["offers"] as? [String: Any])?["made"] as? Int ?? 0) >= 2 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let offered = waitlist["offers"] as? [String: Int]
        #expect(waitlist["waiting"] as? Int == 0 && offered?["made"] == 2 && (offered?["lapsed"] ?? 0) >= 1 && offered?["accepted"] == 0)
        let metrics = try await HTTP.send(.GET, "\(base)/metrics").text
        #expect(metrics.contains(#"boxoffice_waitlist_offers_total{outcome="made"} 2"#) && metrics.contains("boxoffice_waitlist_waiting 0"))
    }
}
