import Commands
import Foundation
import TestSupport
import Testing

/// Issue 16, items 1 and 2 over HTTP: `POST /sessions/:id/seats/reserve {count}` and `singleSeatRule`.
@Suite("Best available and lone seats (routes)")
struct SeatSelectionRouteTests {
    let harness = Harness()

    @Test func bestAvailableNamesTheSeatsItChoseAndExplainsARefusal() async throws {
        try await harness.run { api in
            let hall = try await api.hall(rows: [["row": "A", "seats": 3], ["row": "B", "seats": 6]])
            let session = try await api.session(hall: hall)
            let user = try await api.user()
            let reserve = "/sessions/\(session)/seats/reserve"
            // Row A (3 seats) first: either pair there leaves one seat alone, so the leftmost of the two.
            let pair = try await api.call(.post, reserve, token: user.token, json: ["count": 2])
            #expect(pair.status == 201 && pair.json["status"] as? String == "HELD")
            #expect(pair.json["seats"] as? [String] == ["A1", "A2"])
            // Row B (6 seats): B2-B5 is nearest the middle but leaves B1 and B6 alone; B1-B4 leaves B5-B6.
            let four = try await api.call(.post, reserve, token: user.token, json: ["count": 4])
            #expect(four.json["seats"] as? [String] == ["B1", "B2", "B3", "B4"])
            let refused = try await api.call(.post, reserve, token: user.token, json: ["count": 3])
            #expect(refused.status == 409 && refused.errorCode == "no_seats_together" && refused.error["largest"] as? Int == 2)
            let apart = try await api.call(.post, reserve, token: user.token, json: ["count": 3, "together": false])
            #expect(apart.status == 201 && apart.json["seats"] as? [String] == ["A3", "B5", "B6"])
            let full = try await api.call(.post, reserve, token: user.token, json: ["count": 1])
            #expect(full.errorCode == "no_seats_together" && full.error["largest"] as? Int == 0)
            #expect(try await api.call(.post, reserve, token: user.token, json: ["count": 2, "seats": ["A1"]]).status == 400)
            #expect(try await api.call(.post, reserve, token: user.token, json: [String: Any]()).status == 400)
            #expect(try await api.call(.post, reserve, token: user.token, json: ["count": 2, "section": "nosuch"]).status == 404)
            #expect(try await api.call(.post, reserve, token: user.token, json: ["count": 11]).status == 400, "MAX_SEATS_PER_BOOKING")
        }
    }

    @Test func aSessionThatRefusesLoneSeatsSaysWhichSeat() async throws {
        try await harness.run { api in
            let hall = try await api.hall(rows: [["row": "A", "seats": 6]])
            let created = try await api.call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": hall, "startsAt": "2026-12-24T20:00:00Z", "singleSeatRule": "refuse"])
            #expect(created.status == 201 && created.json["singleSeatRule"] as? String == "refuse")
            let session = try #require(created.json["id"] as? String)
            let user = try await api.user()
            let reserve = "/sessions/\(session)/seats/reserve"
            let lone = try await api.call(.post, reserve, token: user.token, json: ["seats": ["A2"]])
            #expect(lone.status == 409 && lone.errorCode == "would_strand_seat" && lone.error["seat"] as? String == "A1")
            #expect(try await api.call(.post, reserve, token: user.token, json: ["seats": ["A1", "A2"]]).status == 201)
            let bad = try await api.call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": hall, "startsAt": "2026-12-24T20:00:00Z", "singleSeatRule": "sometimes"])
            #expect(bad.status == 400)
        }
    }
}

/// Issue 16, item 3 over HTTP: `POST /bookings/:id/extend`.
@Suite("Hold extension (routes)")
struct HoldExtensionRouteTests {
    let harness = Harness()

    @Test func theHolderExtendsOnceAndTheHoldLastsThatLong() async throws {
        let clock = harness.clock
        try await harness.run(holdTTL: 60) { api in
            let session = try await api.session()
            let user = try await api.user()
            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1"]])
            let id = try #require(held.json["id"] as? String)
            let first = try #require((held.json["holdExpiresAt"] as? String).flatMap(ISO8601.date(from:)))
            #expect(try await api.call(.post, "/bookings/\(id)/extend").status == 401, "an account's booking needs its token")
            let extended = try await api.call(.post, "/bookings/\(id)/extend", token: user.token)
            #expect(extended.status == 200 && extended.json["status"] as? String == "HELD")
            let second = try #require((extended.json["holdExpiresAt"] as? String).flatMap(ISO8601.date(from:)))
            #expect(second.timeIntervalSince(first) == 60)
            let again = try await api.call(.post, "/bookings/\(id)/extend", token: user.token)
            #expect(again.status == 409 && again.errorCode == "hold_not_extendable", "one extension by default")
            clock.advance(90)
            let other = try await api.user()
            let taken = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: other.token, json: ["seats": ["A1"]])
            #expect(taken.status == 409 && taken.errorCode == "seat_unavailable", "past the first deadline the hold still holds")
            #expect(try await api.call(.post, "/bookings/\(id)/confirm", token: user.token).status == 200)
            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin)
            #expect(
                history.array.map { $0["type"] as? String } == [
                    "SessionScheduled", "BookingPlaced", "HoldExtended", "BookingConfirmed", "TicketIssued",
                ])
        }
    }
}

/// Issue 16, item 5 over HTTP: `POST /sessions/:id/sales`, `409 sales_closed` and `409 seat_limit_reached`.
@Suite("Caps and sales windows (routes)")
struct SalesRouteTests {
    let harness = Harness()

    @Test func theAdminSetsACapAndAWindowAndBuyersMeetThem() async throws {
        try await harness.run { api in
            let hall = try await api.hall()
            let created = try await api.call(
                .post, "/sessions", token: Harness.admin,
                json: ["title": "Film", "hallId": hall, "startsAt": "2026-12-24T20:00:00Z", "maxSeatsPerUser": 2])
            #expect(created.status == 201 && created.json["maxSeatsPerUser"] as? Int == 2)
            let session = try #require(created.json["id"] as? String)
            let user = try await api.user()
            let reserve = "/sessions/\(session)/seats/reserve"
            #expect(try await api.call(.post, reserve, token: user.token, json: ["seats": ["A1"]]).status == 201)
            let over = try await api.call(.post, reserve, token: user.token, json: ["seats": ["A2", "A3"]])
            #expect(
                over.status == 409 && over.errorCode == "seat_limit_reached" && over.error["limit"] as? Int == 2 && over.error["held"] as? Int == 1)

            let sales = "/sessions/\(session)/sales"
            #expect(try await api.call(.post, sales, token: user.token, json: ["maxSeatsPerUser": 5]).status == 403)
            let opensAt = harness.clock.read().addingTimeInterval(3600)
            let opens = ISO8601.string(from: opensAt)
            let changed = try await api.call(.post, sales, token: Harness.admin, json: ["maxSeatsPerUser": 5, "salesOpenAt": opens])
            #expect(
                changed.status == 200 && changed.json["maxSeatsPerUser"] as? Int == 5
                    && (changed.json["salesOpenAt"] as? String).flatMap(ISO8601.date(from:)) == opensAt)
            let closed = try await api.call(.post, reserve, token: user.token, json: ["seats": ["A2"]])
            #expect(
                closed.status == 409 && closed.errorCode == "sales_closed"
                    && (closed.error["salesOpenAt"] as? String).flatMap(ISO8601.date(from:)) == opensAt)
            harness.clock.advance(3600)
            #expect(try await api.call(.post, reserve, token: user.token, json: ["seats": ["A2", "A3"]]).status == 201)
            let bad = try await api.call(.post, sales, token: Harness.admin, json: ["salesOpenAt": opens, "salesCloseAt": opens])
            #expect(bad.status == 400)
            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin)
            #expect(history.array.contains { $0["type"] as? String == "SessionSalesChanged" })
        }
    }

    @Test func aGAEventTakesACapWhenItIsCreated() async throws {
        try await harness.run { api in
            let created = try await api.call(
                .post, "/events/create", token: Harness.admin,
                json: ["name": "Gig", "sections": [["name": "Floor", "price": 10, "capacity": 100]], "maxSeatsPerUser": 4])
            #expect(created.status == 201)
            let event = try #require(created.json["id"] as? String)
            let user = try await api.user()
            #expect(try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 3]).status == 201)
            let over = try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 2])
            #expect(over.status == 409 && over.errorCode == "seat_limit_reached" && over.error["held"] as? Int == 3)
            let bad = try await api.call(
                .post, "/events/create", token: Harness.admin,
                json: ["name": "Gig", "sections": [["name": "Floor", "price": 10, "capacity": 100]], "maxSeatsPerUser": 0])
            #expect(bad.status == 400)
        }
    }
}
