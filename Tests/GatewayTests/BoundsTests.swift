import Foundation
import TestSupport
import Testing

/// Every client-supplied string is bounded, and going over a bound is a clear 4xx, never a 5xx.
@Suite("Bounded ids and strings")
struct BoundsTests {
    let harness = Harness()

    @Test func oversizedStringsAreRefused() async throws {
        try await harness.run { api in
            let long = String(repeating: "x", count: 201)
            let hall = try await api.call(
                .post, "/halls", token: Harness.admin,
                json: [
                    "name": long, "sections": [["name": "S", "price": 1, "rows": [["row": "A", "seats": 2]]]],
                ])
            #expect(hall.status == 400 && hall.errorCode == "invalid_request")
            let user = try await api.call(.post, "/users", json: ["name": long, "email": "a@example.test"])
            #expect(user.status == 400)
            let email = try await api.call(.post, "/users", json: ["name": "A", "email": String(repeating: "e", count: 250) + "@x.io"])
            #expect(email.status == 400)
            let owner = try await api.user()
            let session = try await api.session()
            let seat = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: owner.token,
                json: ["seats": [String(repeating: "A", count: 17)]])
            #expect(seat.status == 400)
            let key = try await api.call(
                .post, "/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["A1"]],
                headers: ["Idempotency-Key": String(repeating: "k", count: 256)])
            #expect(key.status == 400 && key.errorCode == "invalid_request")
            #expect(try await api.eventCount(session) == 1, "nothing was appended by a refused request")
        }
    }

    @Test func oversizedIdsAndHeadersNameNothing() async throws {
        try await harness.run { api in
            let id = String(repeating: "s", count: 129)
            for path in ["/sessions/\(id)", "/sessions/\(id)/seats", "/bookings/\(id)", "/halls/\(id)", "/events/\(id)"] {
                let answer = try await api.call(.get, path, token: Harness.admin)
                #expect(answer.status == 404 && answer.errorCode == "not_found", "\(path)")
            }
            let longToken = try await api.call(.get, "/bookings", token: String(repeating: "t", count: 600))
            #expect(longToken.status == 401)
            let requestId = String(repeating: "r", count: 200)
            let replaced = try await api.call(.get, "/health", headers: ["X-Request-Id": requestId])
            #expect(replaced.headers[.init("X-Request-Id")!]?.hasPrefix("req_") == true, "an oversized request id is replaced")
            #expect(try await api.call(.get, "/sessions?limit=1001").status == 400)
            #expect(try await api.call(.get, "/sessions?cursor=" + String(repeating: "c", count: 2_000)).status == 400)
            let beyond = try await api.call(.get, "/sessions?minPosition=999999999999")
            #expect(beyond.status == 400 && beyond.errorCode == "invalid_request", "a position never issued is refused at once")
        }
    }

    @Test func moreSeatsOrTicketsThanTheLimitAreRefused() async throws {
        try await harness.run { api in
            let user = try await api.user()
            let session = try await api.session(hall: try await api.hall(rows: [["row": "A", "seats": 20]]))
            let eleven = (1...11).map { "A\($0)" }
            let tooMany = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": eleven])
            #expect(tooMany.status == 400 && (tooMany.error["message"] as? String)?.contains("at most 10") == true)
            let ten = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": Array(eleven.prefix(10))])
            #expect(ten.status == 201)
            let event = try await api.event(capacity: 100)
            #expect(try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 11]).status == 400)
            #expect(try await api.call(.post, "/book", token: user.token, json: ["eventId": event, "qty": 10]).status == 201)
        }
    }

    /// Found by Schemathesis: a NUL in a name reached PostgreSQL's jsonb and came back as a 500.
    @Test func controlCharactersInNamesAreRefusedNotStored() async throws {
        try await harness.run { api in
            let hall = try await api.call(
                .post, "/halls", token: Harness.admin,
                json: [
                    "name": "Odeon", "sections": [["name": "Stalls\u{0000}", "price": 1, "rows": [["row": "A", "seats": 2]]]],
                ])
            #expect(hall.status == 400 && hall.errorCode == "invalid_request")
            let user = try await api.call(.post, "/users", json: ["name": "A\u{0007}", "email": "bell@example.test"])
            #expect(user.status == 400)
            let email = try await api.call(.post, "/users", json: ["name": "A", "email": "nul\u{0000}@example.test"])
            #expect(email.status == 400)
            let event = try await api.call(
                .post, "/events/create", token: Harness.admin,
                json: ["name": "Gig\u{0000}", "sections": [["name": "F", "price": 1, "capacity": 5]]])
            #expect(event.status == 400)
        }
    }

    /// Found by Schemathesis: `Allow` on `/book/confirm` also named GET, which only `/book/{id}` has.
    @Test func allowNamesOnlyTheMethodsThatAnswer() async throws {
        try await harness.run { api in
            let confirm = try await api.call(.get, "/book/confirm", token: Harness.admin)
            #expect(confirm.status == 405 && confirm.headers[.allow] == "POST")
            let create = try await api.call(.get, "/events/create")
            #expect(create.status == 405 && create.headers[.allow] == "POST")
            let event = try await api.call(.post, "/events/abc")
            #expect(event.status == 405 && event.headers[.allow] == "GET")
        }
    }

    /// Found by Schemathesis: the last page omitted `nextCursor` instead of answering null.
    @Test func theLastPageSaysNextCursorNull() async throws {
        try await harness.run { api in
            let page = try await api.call(.get, "/bookings?sessionId=ses_none", token: Harness.admin)
            #expect(page.status == 200)
            #expect(page.json.keys.contains("nextCursor") && page.json["nextCursor"] is NSNull)
        }
    }
}
