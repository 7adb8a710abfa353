import Foundation
import TestSupport
import Testing

@Suite("Booking command routes")
struct BookingRouteTests {
    let harness = Harness()

    @Test func holdConfirmCancelLifecycle() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"]])
            #expect(held.status == 201)
            #expect(held.json["status"] as? String == "HELD")
            #expect(held.json["amount"] as? Double == 20)
            #expect(held.json["userId"] as? String == user.id)
            #expect(held.json["holdExpiresAt"] is String && held.json["createdAt"] is String)
            let booking = try #require(held.json["id"] as? String)

            let confirmed = try await api.call(.post, "/bookings/\(booking)/confirm", token: user.token)
            #expect(confirmed.status == 200 && confirmed.json["status"] as? String == "CONFIRMED")
            #expect(confirmed.json["holdExpiresAt"] == nil)
            let events = try await api.eventCount(session)
            let again = try await api.call(.post, "/book/confirm", token: user.token, json: ["bookingId": booking])
            #expect(again.status == 200 && again.json["message"] as? String == "Booking confirmed", "seed 004's route, its words")
            #expect(try await api.eventCount(session) == events, "confirming twice appends nothing")

            let cancelled = try await api.call(.post, "/bookings/\(booking)/cancel", token: user.token)
            #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "CANCELLED")
            #expect(try await api.call(.post, "/bookings/\(booking)/cancel", token: user.token).status == 200)
            #expect(try await api.eventCount(session) == events + 3, "cancelling twice appends once: the cancellation and the two tickets voided")
            let late = try await api.call(.post, "/bookings/\(booking)/confirm", token: user.token)
            #expect(late.status == 409 && late.errorCode == "booking_cancelled")

            let other = try await api.user()
            let retaken = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: other.token,
                json: ["seats": ["A1", "A2"], "confirm": true])
            #expect(retaken.status == 201 && retaken.json["status"] as? String == "CONFIRMED", "cancelled seats are free at once")
        }
    }

    @Test func seatRequestsAreValidated() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let path = "/sessions/\(session)/seats/reserve"
            for seats in [[], ["A1", "A1"], ["Z9"], Array(repeating: "A1", count: 11).enumerated().map { "A\($0.offset + 1)" }] {
                let answer = try await api.call(.post, path, token: user.token, json: ["seats": seats])
                #expect(answer.status == 400 && answer.errorCode == "invalid_request", "\(seats)")
            }
            #expect(try await api.call(.post, path, token: user.token, json: ["seats": "A1"]).status == 400)
            #expect(try await api.call(.post, path, token: user.token, raw: Data("{\"seats\":[".utf8)).status == 400)
            #expect(
                try await api.call(.post, path, token: user.token, json: ["seats": ["A1"], "extra": 1]).status == 201,
                "unknown fields are ignored")
            let missing = try await api.call(.post, "/sessions/ses_missing/seats/reserve", token: user.token, json: ["seats": ["A1"]])
            #expect(missing.status == 404 && missing.errorCode == "not_found")
            let taken = try await api.call(.post, path, token: user.token, json: ["seats": ["A2", "A1"]])
            #expect(taken.status == 409 && taken.error["seats"] as? [String] == ["A1"])
            #expect(try await api.call(.post, path, json: ["seats": ["A3"]]).status == 401)
            #expect(
                try await api.call(.post, path, token: Harness.admin, json: ["seats": ["A3"]]).status == 400,
                "the admin must name the user it books for")
            let onBehalf = try await api.call(.post, path, token: Harness.admin, json: ["seats": ["A3"], "userId": user.id])
            #expect(onBehalf.status == 201 && onBehalf.json["userId"] as? String == user.id)
        }
    }

    @Test func generalAdmissionByQuantity() async throws {
        try await harness.run { api in
            let event = try await api.event(capacity: 5)
            let user = try await api.user()
            let booked = try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 3])
            #expect(booked.status == 201)
            #expect(booked.json["status"] as? String == "CONFIRMED" && booked.json["remaining"] as? Int == 2)
            #expect(booked.json["qty"] as? Int == 3 && booked.json["amount"] as? Double == 75)
            let sectionId = try #require(booked.json["sectionId"] as? String)
            let held = try await api.call(
                .post, "/book", token: user.token,
                json: ["sessionId": event, "sectionId": sectionId, "qty": 1, "hold": true])
            #expect(held.status == 201 && held.json["status"] as? String == "HELD" && held.json["remaining"] as? Int == 1)
            let tooMany = try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 2])
            #expect(tooMany.status == 409 && tooMany.errorCode == "insufficient_capacity" && tooMany.error["remaining"] as? Int == 1)
            #expect(try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 0]).status == 400)
            #expect(try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 11]).status == 400)
            #expect(try await api.call(.post, "/book", token: user.token, json: ["qty": 1]).status == 400)
            let section = try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "sectionId": "nope", "qty": 1])
            #expect(section.status == 404)
            let several = try await api.event(capacity: 5, sections: 2)
            #expect(try await api.call(.post, "/book", token: user.token, json: ["eventId": several, "qty": 1]).status == 400)
        }
    }

    @Test func onlyTheOwnerOrTheAdminActsOnABooking() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let owner = try await api.user()
            let stranger = try await api.user()
            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["B1"]])
            let booking = try #require(held.json["id"] as? String)
            #expect(try await api.call(.post, "/bookings/\(booking)/confirm", token: stranger.token).status == 403)
            #expect(try await api.call(.post, "/bookings/\(booking)/cancel", token: stranger.token).status == 403)
            #expect(try await api.call(.post, "/bookings/bk_unknown/confirm", token: owner.token).status == 404)
            #expect(try await api.call(.post, "/bookings/\(booking)/confirm", token: Harness.admin).status == 200)
        }
    }

    @Test func expiredHoldsCannotBeConfirmedAndFreeTheirSeats() async throws {
        try await harness.run(holdTTL: 30) { api in
            let session = try await api.session()
            let first = try await api.user()
            let second = try await api.user()
            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: first.token, json: ["seats": ["A4"]])
            let booking = try #require(held.json["id"] as? String)
            harness.clock.advance(31)
            let late = try await api.call(.post, "/bookings/\(booking)/confirm", token: first.token)
            #expect(late.status == 409 && late.errorCode == "hold_expired")
            let retaken = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: second.token, json: ["seats": ["A4"]])
            #expect(retaken.status == 201, "a reservation on a due hold succeeds and records the expiry first")
            let history = try await api.call(.get, "/sessions/\(session)/history", token: Harness.admin).array
            #expect(history.suffix(2).map { $0["type"] as? String } == ["HoldExpired", "BookingPlaced"])
            #expect(try await api.call(.post, "/bookings/\(booking)/confirm", token: first.token).errorCode == "hold_expired")
        }
    }
}
