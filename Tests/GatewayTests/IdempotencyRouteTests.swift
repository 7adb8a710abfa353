import Foundation
import PostgresNIO
import TestSupport
import Testing

@Suite("Idempotency-Key on command routes")
struct IdempotencyRouteTests {
    let harness = Harness()

    @Test func sameKeySameBodyReplaysWithoutAppending() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let path = "/sessions/\(session)/seats/reserve"
            let first = try await api.call(.post, path, token: user.token, json: ["seats": ["A1"]], headers: ["Idempotency-Key": "k-1"])
            let events = try await api.eventCount(session)
            // The same JSON with other spacing is the same request.
            let again = try await api.call(
                .post, path, token: user.token, raw: Data(#"{ "seats" : [ "A1" ] }"#.utf8),
                headers: ["Idempotency-Key": "k-1"])
            #expect(again.status == 201 && again.body == first.body)
            #expect(again.headers[.init("X-Position")!] == first.headers[.init("X-Position")!])
            #expect(try await api.eventCount(session) == events)

            let different = try await api.call(.post, path, token: user.token, json: ["seats": ["A2"]], headers: ["Idempotency-Key": "k-1"])
            #expect(different.status == 409 && different.errorCode == "idempotency_key_reused")
            #expect(try await api.eventCount(session) == events)

            let other = try await api.user()
            let otherUser = try await api.call(.post, path, token: other.token, json: ["seats": ["A2"]], headers: ["Idempotency-Key": "k-1"])
            #expect(otherUser.status == 201, "keys belong to the user who sent them")
        }
    }

    @Test func concurrentDuplicatesGetOneBooking() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await api.call(
                            .post, "/sessions/\(session)/seats/reserve", token: user.token,
                            json: ["seats": ["B2", "B3"]], headers: ["Idempotency-Key": "dup"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 201 })
            #expect(Set(answers.map { $0.json["id"] as? String }).count == 1)
            #expect(try await api.eventCount(session) == 2, "the schedule and exactly one booking")
        }
    }

    @Test func registrationReplayNeverRevealsTheTokenAgain() async throws {
        try await harness.run { api in
            let body = ["name": "Bo", "email": "\(UUID().uuidString)@example.test"]
            // Registration is anonymous, so its keys share one scope: clients must use unique keys.
            let key = UUID().uuidString
            let first = try await api.call(.post, "/users", json: body, headers: ["Idempotency-Key": key])
            #expect(first.status == 201 && first.json["token"] is String)
            let replay = try await api.call(.post, "/users", json: body, headers: ["Idempotency-Key": key])
            #expect(replay.status == 201 && replay.json["id"] as? String == first.json["id"] as? String)
            #expect(replay.json["token"] == nil)
            let taken = try await api.call(.post, "/users", json: body)
            #expect(taken.status == 409 && taken.errorCode == "email_taken")
            let shouting = try await api.call(.post, "/users", json: ["name": "Bo", "email": body["email"]!.uppercased()])
            #expect(shouting.errorCode == "email_taken", "emails are unique regardless of case")
            #expect(try await api.call(.post, "/users", json: ["name": "Bo", "email": "not-an-email"]).status == 400)
        }
    }

    /// Keys stored before migration 7 remember the answer as it was rendered; migration 7 wraps it as
    /// {"rendered": …} (the same SQL expression is used here), and a retry still gets it verbatim.
    @Test func keysStoredAsRenderedAnswersStillReplay() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let key = "legacy-\(UUID().uuidString)"
            let path = "/sessions/\(session)/seats/reserve"
            let first = try await api.call(.post, path, token: user.token, json: ["seats": ["A3"]], headers: ["Idempotency-Key": key])
            #expect(first.status == 201)
            let rendered = #"{"id":"bk_legacy","status":"HELD"}"#
            // Stored as before 2026-12: a rendered answer, and the request fingerprinted through JSONSerialization.
            let legacyRequest = "POST \(path)\n" + #"{"seats":["A3"]}"#
            try await TestDatabase.client.query(
                """
                UPDATE idempotency_keys
                SET outcome = convert_to(json_build_object('rendered', json_build_object('status', 201, 'body', \(rendered)::text))::text, 'UTF8'),
                    request_hash = encode(sha256(convert_to(\(legacyRequest), 'UTF8')), 'hex')
                WHERE key = \(key)
                """, logger: TestDatabase.logger)
            let replay = try await api.call(.post, path, token: user.token, json: ["seats": ["A3"]], headers: ["Idempotency-Key": key])
            #expect(replay.status == 201 && replay.body == Data(rendered.utf8))
            #expect(replay.headers[.init("Idempotent-Replayed")!] == "true")
            #expect(replay.headers[.init("X-Position")!] == first.headers[.init("X-Position")!])
        }
    }

    /// Keys stored on 2026-12-02 hold the second form of the fingerprint: a repeat under one still replays,
    /// and another body under it is still refused. New keys are stored in the third form.
    @Test func keysStoredWithTheSecondFingerprintStillReplay() async throws {
        try await harness.run { api in
            let session = try await api.session()
            let user = try await api.user()
            let key = "v2-\(UUID().uuidString)"
            let path = "/sessions/\(session)/seats/reserve"
            let first = try await api.call(.post, path, token: user.token, json: ["seats": ["A4"]], headers: ["Idempotency-Key": key])
            #expect(first.status == 201)
            var stored: [String] = []
            for try await hash in try await TestDatabase.client.query(
                "SELECT request_hash FROM idempotency_keys WHERE key = \(key)", logger: TestDatabase.logger
            ).decode(String.self) {
                stored.append(hash)
            }
            #expect(stored.count == 1 && stored[0].hasPrefix("v3:"), "\(stored)")
            let v2Request = "POST \(path)\n" + #"{"seats":["A4"]}"#
            try await TestDatabase.client.query(
                "UPDATE idempotency_keys SET request_hash = 'v2:' || encode(sha256(convert_to(\(v2Request), 'UTF8')), 'hex') WHERE key = \(key)",
                logger: TestDatabase.logger)
            let replay = try await api.call(.post, path, token: user.token, json: ["seats": ["A4"]], headers: ["Idempotency-Key": key])
            #expect(replay.status == 201 && replay.body == first.body)
            #expect(replay.headers[.init("Idempotent-Replayed")!] == "true")
            let other = try await api.call(.post, path, token: user.token, json: ["seats": ["A5"]], headers: ["Idempotency-Key": key])
            #expect(other.status == 409 && other.errorCode == "idempotency_key_reused")
        }
    }

    /// A first request is not looked up; a repeat is answered from its key whether its own attempt would
    /// have recorded something new (a GA booking, a hall), been refused, or recorded nothing (a confirm).
    @Test func repeatsOfEveryKindOfCommandAreAnsweredFromTheirKey() async throws {
        try await harness.run { api in
            let event = try await api.event(capacity: 10)
            let user = try await api.user()
            func twice(_ path: String, token: String, json: Any, key: String) async throws -> (Answer, Answer) {
                let first = try await api.call(.post, path, token: token, json: json, headers: ["Idempotency-Key": key])
                let again = try await api.call(.post, path, token: token, json: json, headers: ["Idempotency-Key": key])
                #expect(first.headers[.init("Idempotent-Replayed")!] == nil, "\(path): the first request is executed")
                #expect(again.headers[.init("Idempotent-Replayed")!] == "true", "\(path): the repeat is answered from its key")
                #expect(again.status == first.status && again.body == first.body, "\(path): \(again.status)")
                #expect(again.headers[.init("X-Position")!] == first.headers[.init("X-Position")!])
                return (first, again)
            }
            let (booked, _) = try await twice("/book", token: user.token, json: ["eventId": event, "qty": 2, "hold": true], key: "ga")
            #expect(booked.status == 201)
            #expect(try await api.eventCount(event) == 2, "one schedule and one booking: the repeat recorded nothing")
            let bookingId = try #require(booked.json["id"] as? String)
            _ = try await twice("/bookings/\(bookingId)/confirm", token: user.token, json: [String: String](), key: "confirm")
            #expect(try await api.eventCount(event) == 5, "the confirmation and its two tickets, once")
            let key = "hall-\(UUID().uuidString)"
            let (hall, _) = try await twice(
                "/halls", token: Harness.admin,
                json: ["name": "Hall", "sections": [["id": "main", "name": "Main", "price": 10, "rows": [["row": "A", "seats": 2]]]]],
                key: key)
            #expect(hall.status == 201)
            let rows = try await TestDatabase.client.query(
                "SELECT count(*)::int8 FROM events WHERE type = 'HallCreated' AND metadata->>'idempotencyKey' = \(key)",
                logger: TestDatabase.logger)
            for try await count in rows.decode(Int.self) { #expect(count == 1, "the repeat created no second hall") }
        }
    }
}
