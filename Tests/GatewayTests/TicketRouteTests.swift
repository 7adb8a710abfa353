import Foundation
import TestSupport
import Testing

/// Issue 18, items 1 and 2 over HTTP: tickets of a booking, door scanners, check-in online and uploaded.
@Suite("Tickets and check-in (routes)")
struct TicketRouteTests {
    let harness = Harness()

    /// A session whose doors are open at the harness clock: it starts an hour later.
    func tonight(_ api: Harness.Client) async throws -> String {
        let startsAt = ISO8601DateFormatter().string(from: harness.clock.read().addingTimeInterval(3600))
        let answer = try await api.call(
            .post, "/sessions", token: Harness.admin, json: ["title": "Tonight", "hallId": try await api.hall(), "startsAt": startsAt])
        #expect(answer.status == 201)
        return try #require(answer.json["id"] as? String)
    }

    func scanner(_ api: Harness.Client, session: String? = nil) async throws -> String {
        var body: [String: Any] = ["name": "North door"]
        if let session { body["sessionId"] = session }
        let made = try await api.call(.post, "/scanners", token: Harness.admin, json: body)
        #expect(made.status == 201 && made.json["name"] as? String == "North door")
        return try #require(made.json["token"] as? String)
    }

    /// Books `seats` confirmed for a new user; its tickets' secrets.
    func booked(_ api: Harness.Client, _ session: String, _ seats: [String]) async throws -> (booking: String, user: String, secrets: [String]) {
        let user = try await api.user()
        let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": seats])
        let booking = try #require(held.json["id"] as? String)
        #expect(try await api.call(.post, "/bookings/\(booking)/confirm", token: user.token).status == 200)
        let tickets = try await api.call(.get, "/bookings/\(booking)/tickets", token: user.token)
        let secrets = (tickets.json["tickets"] as? [[String: Any]] ?? []).compactMap { $0["secret"] as? String }
        #expect(secrets.count == seats.count)
        return (booking, user.token, secrets)
    }

    @Test func aConfirmedBookingHasOneTicketPerSeatThatOnlyItsHolderSees() async throws {
        try await harness.run { api in
            let session = try await tonight(api)
            let user = try await api.user()
            let held = try await api.call(.post, "/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A1", "A2"]])
            let booking = try #require(held.json["id"] as? String)
            let none = try await api.call(.get, "/bookings/\(booking)/tickets", token: user.token)
            #expect(none.status == 200 && (none.json["tickets"] as? [Any])?.isEmpty == true, "a hold has no tickets")
            let before = try await api.eventCount(session)
            #expect(try await api.call(.post, "/bookings/\(booking)/confirm", token: user.token).status == 200)

            // The confirmation and its two tickets are one append: consecutive versions of the stream, one position block.
            let appended = try await api.store.readStream("session-\(session)", after: before)
            #expect(appended.map(\.type) == ["BookingConfirmed", "TicketIssued", "TicketIssued"])
            #expect(Set(appended.map(\.metadata.correlationId)).count == 1)

            let answer = try await api.call(.get, "/bookings/\(booking)/tickets", token: user.token)
            let tickets = try #require(answer.json["tickets"] as? [[String: Any]])
            #expect(answer.status == 200 && tickets.map { $0["seat"] as? String } == ["A1", "A2"])
            #expect(tickets.allSatisfy { $0["status"] as? String == "VALID" && ($0["qrSvg"] as? String)?.hasPrefix("<svg") == true })
            let secrets = tickets.compactMap { $0["secret"] as? String }
            #expect(secrets.count == 2 && Set(secrets).count == 2)
            // The secret's MAC is nowhere in the log: it is derived with a key the log does not hold.
            let everything = try await api.store.readStream("session-\(session)", after: 0)
            for secret in secrets {
                let mac = try #require(secret.split(separator: ".").last)
                #expect(mac.count == 40, "160 bits")
                #expect(!everything.contains { String(decoding: $0.data, as: UTF8.self).contains(mac) })
            }

            let page = try await api.call(.get, "/bookings/\(booking)/tickets?format=html", token: user.token)
            #expect(page.status == 200 && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(decoding: page.body, as: UTF8.self).components(separatedBy: "<svg").count == 3)
            #expect(page.headers[.cacheControl] == "no-store")

            let stranger = try await api.user()
            #expect(try await api.call(.get, "/bookings/\(booking)/tickets", token: stranger.token).status == 403)
            #expect(try await api.call(.get, "/bookings/\(booking)/tickets").status == 401)
            #expect(try await api.call(.get, "/bookings/\(booking)/tickets", token: Harness.admin).status == 200)
            #expect(try await api.call(.get, "/bookings/bk_nothing/tickets", token: Harness.admin).status == 404)
            #expect(try await api.call(.get, "/bookings/\(booking)/tickets?format=pdf", token: user.token).status == 400)
        }
    }

    @Test func aTicketLetsOnePersonInAndAScannerTokenCanDoNothingElse() async throws {
        try await harness.run { api in
            let session = try await tonight(api)
            let door = try await scanner(api)
            let (booking, buyer, secrets) = try await booked(api, session, ["B1", "B2"])

            let first = try await api.call(.post, "/checkin", token: door, json: ["secret": secrets[0], "gate": "North", "scanId": "n-1"])
            #expect(first.status == 200 && first.json["verdict"] as? String == "ADMITTED" && first.json["seat"] as? String == "B1")
            #expect((first.json["session"] as? [String: Any])?["id"] as? String == session && first.json["bookingId"] == nil)
            let retry = try await api.call(.post, "/checkin", token: door, json: ["secret": secrets[0], "gate": "North", "scanId": "n-1"])
            #expect(retry.status == 200 && retry.json["verdict"] as? String == "ADMITTED", "a retried scan is answered as the first")
            let again = try await api.call(.post, "/checkin", token: door, json: ["secret": secrets[0], "gate": "South", "scanId": "s-1"])
            #expect(again.status == 409 && again.errorCode == "already_checked_in" && again.error["gate"] as? String == "North")
            #expect(again.error["checkedInAt"] is String)

            // A forged or mistyped secret, and a voided ticket: 404.
            let forged = String(secrets[1].dropLast()) + (secrets[1].hasSuffix("0") ? "1" : "0")
            #expect(try await api.call(.post, "/checkin", token: door, json: ["secret": forged, "gate": "North", "scanId": "n-2"]).status == 404)
            #expect(try await api.call(.post, "/bookings/\(booking)/cancel", token: buyer).status == 200)
            let voided = try await api.call(.post, "/checkin", token: door, json: ["secret": secrets[1], "gate": "North", "scanId": "n-3"])
            #expect(voided.status == 404 && voided.errorCode == "not_found")
            let statuses = try await api.call(.get, "/bookings/\(booking)/tickets", token: buyer)
            #expect((statuses.json["tickets"] as? [[String: Any]])?.map { $0["status"] as? String } == ["VOIDED", "VOIDED"])

            // The scanner's token opens nothing else; nobody else's token checks in.
            #expect(try await api.call(.get, "/sessions/\(session)/blocks", token: door).status == 403)
            #expect(try await api.call(.get, "/bookings", token: door).status == 403)
            #expect(try await api.call(.post, "/sessions/\(session)/seats/reserve", token: door, json: ["seats": ["A1"]]).status == 403)
            #expect(try await api.call(.post, "/scanners", token: door, json: ["name": "x"]).status == 403)
            #expect(try await api.call(.get, "/sessions/\(session)/checkins", token: door).status == 403)
            let body: [String: Any] = ["secret": secrets[0], "gate": "North", "scanId": "x-1"]
            #expect(try await api.call(.post, "/checkin", token: buyer, json: body).status == 403)
            #expect(try await api.call(.post, "/checkin", token: Harness.admin, json: body).status == 403)
            #expect(try await api.call(.post, "/checkin", json: body).status == 401)
            #expect(try await api.call(.post, "/scanners", token: buyer, json: ["name": "x"]).status == 403)
            #expect(try await api.call(.post, "/scanners", token: Harness.admin, json: ["name": "x", "sessionId": "ses_none"]).status == 404)
            #expect(try await api.call(.post, "/scanners", token: Harness.admin, json: ["name": ""]).status == 400)
            for bad: [String: Any] in [
                ["secret": "", "gate": "N", "scanId": "a"], ["secret": "x", "gate": "", "scanId": "a"], ["secret": "x", "gate": "N"],
            ] {
                #expect(try await api.call(.post, "/checkin", token: door, json: bad).status == 400)
            }
        }
    }

    @Test func aTicketForAnotherDayOrAnotherScannersSessionIsTheWrongSession() async throws {
        try await harness.run { api in
            let later = try await api.session()  // starts 2026-12-24, long after the harness clock
            let (_, _, secrets) = try await booked(api, later, ["A1"])
            let door = try await scanner(api)
            let early = try await api.call(.post, "/checkin", token: door, json: ["secret": secrets[0], "gate": "N", "scanId": "1"])
            #expect(early.status == 409 && early.errorCode == "wrong_session")

            let tonightSession = try await tonight(api)
            let other = try await tonight(api)
            let (_, _, tonightSecrets) = try await booked(api, tonightSession, ["A1"])
            let otherDoor = try await scanner(api, session: other)
            let wrong = try await api.call(.post, "/checkin", token: otherDoor, json: ["secret": tonightSecrets[0], "gate": "N", "scanId": "2"])
            #expect(wrong.status == 409 && wrong.errorCode == "wrong_session")
            let right = try await scanner(api, session: tonightSession)
            #expect(
                try await api.call(.post, "/checkin", token: right, json: ["secret": tonightSecrets[0], "gate": "N", "scanId": "3"]).status == 200)
        }
    }

    @Test func offlineScansAreKeptInOrderAndDoubleEntriesAreFlagged() async throws {
        try await harness.run { api in
            let session = try await tonight(api)
            let (_, _, secrets) = try await booked(api, session, ["A1", "A2", "A3"])
            let north = try await scanner(api)
            let south = try await scanner(api)
            let now = harness.clock.read()
            func at(_ seconds: TimeInterval) -> String { ISO8601DateFormatter().string(from: now.addingTimeInterval(seconds)) }
            let northScans: [[String: Any]] = [
                ["secret": secrets[0], "gate": "North", "scanId": "n1", "scannedAt": at(-120)],
                ["secret": secrets[1], "gate": "North", "scanId": "n2", "scannedAt": at(-110)],
                ["secret": "tk_unknown-1." + String(repeating: "0", count: 40), "gate": "North", "scanId": "n3", "scannedAt": at(-100)],
            ]
            let uploaded = try await api.call(.post, "/checkin/batch", token: north, json: ["scans": northScans])
            #expect(uploaded.status == 200)
            #expect((uploaded.json["results"] as? [[String: Any]])?.map { $0["verdict"] as? String } == ["ADMITTED", "ADMITTED", "NOT_FOUND"])
            // The south door was offline too and let the first ticket in again: recorded, flagged.
            let southScans: [[String: Any]] = [
                ["secret": secrets[0], "gate": "South", "scanId": "s1", "scannedAt": at(-60)],
                ["secret": secrets[2], "gate": "South", "scanId": "s2", "scannedAt": at(-50)],
            ]
            let second = try await api.call(.post, "/checkin/batch", token: south, json: ["scans": southScans])
            let results = try #require(second.json["results"] as? [[String: Any]])
            #expect(results.map { $0["verdict"] as? String } == ["DOUBLE_ENTRY", "ADMITTED"])
            #expect((results[0]["firstEntry"] as? [String: Any])?["gate"] as? String == "North")
            let events = try await api.eventCount(session)
            #expect(try await api.call(.post, "/checkin/batch", token: south, json: ["scans": southScans]).status == 200)
            #expect(try await api.eventCount(session) == events, "an upload sent again records nothing")

            let report = try await api.call(.get, "/sessions/\(session)/checkins", token: Harness.admin)
            #expect(report.status == 200 && report.json["tickets"] as? Int == 3 && report.json["checkedIn"] as? Int == 3)
            let gates = try #require(report.json["gates"] as? [String: [String: Int]])
            #expect(gates["North"] == ["scans": 2, "doubleEntries": 0] && gates["South"] == ["scans": 2, "doubleEntries": 1])
            let doubles = try #require(report.json["doubleEntries"] as? [[String: Any]])
            #expect(doubles.count == 1 && doubles[0]["gate"] as? String == "South" && doubles[0]["firstGate"] as? String == "North")

            let tooMany = (0...200).map { ["secret": "x", "gate": "N", "scanId": "b\($0)", "scannedAt": at(0)] }
            #expect(try await api.call(.post, "/checkin/batch", token: north, json: ["scans": tooMany]).status == 400)
            let future = [["secret": secrets[0], "gate": "N", "scanId": "f", "scannedAt": at(3600)]]
            #expect(try await api.call(.post, "/checkin/batch", token: north, json: ["scans": future]).status == 400)
        }
    }

    @Test func scannersAtEveryGateScanningTheSameTicketsLetEachPersonInOnce() async throws {
        try await harness.run { api in
            let session = try await tonight(api)
            let (_, _, secrets) = try await booked(api, session, ["A1", "A2", "A3", "A4"])
            let doors = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 { group.addTask { try await scanner(api) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Six doors each scan every ticket four times at once: 96 scans, 4 admissions.
            let statuses = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for (d, door) in doors.enumerated() {
                    for (t, secret) in secrets.enumerated() {
                        for attempt in 0..<4 {
                            group.addTask {
                                let answer = try await api.call(
                                    .post, "/checkin", token: door, json: ["secret": secret, "gate": "G\(d)", "scanId": "\(d)-\(t)-\(attempt)"])
                                return (secret, answer.status)
                            }
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for secret in secrets {
                let mine = statuses.filter { $0.0 == secret }.map(\.1)
                #expect(mine.filter { $0 == 200 }.count == 1 && mine.filter { $0 == 409 }.count == 23, "\(mine.sorted())")
            }
            let report = try await api.call(.get, "/sessions/\(session)/checkins", token: Harness.admin)
            #expect(report.json["checkedIn"] as? Int == 4 && (report.json["doubleEntries"] as? [Any])?.isEmpty == true)
        }
    }

    /// Against a real `serve --with-workers`: the KPI projection counts arrivals and double entries.
    @Test func theKPIsCountArrivalsAndDoubleEntries() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let hall = try await HTTP.send(
            .POST, base + "/halls", token: server.adminToken,
            json: ["name": "Door", "sections": [["id": "main", "name": "Main", "price": 10, "rows": [["row": "A", "seats": 4]]]]])
        let hallId = try #require(hall.json["id"] as? String)
        let created = try await HTTP.send(
            .POST, base + "/sessions", token: server.adminToken,
            json: ["title": "Tonight", "hallId": hallId, "startsAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))])
        let session = try #require(created.json["id"] as? String)
        let buyer = try await scenario.user()
        let booked = try await HTTP.send(
            .POST, "\(base)/sessions/\(session)/seats/reserve", token: buyer.token, json: ["seats": ["A1", "A2"], "confirm": true])
        let booking = try #require(booked.json["id"] as? String)
        let tickets = try await HTTP.send(.GET, "\(base)/bookings/\(booking)/tickets", token: buyer.token)
        let secrets = (tickets.json["tickets"] as? [[String: Any]] ?? []).compactMap { $0["secret"] as? String }
        try #require(secrets.count == 2)
        let scanner = try await HTTP.send(.POST, base + "/scanners", token: server.adminToken, json: ["name": "Door"])
        let door = try #require(scanner.json["token"] as? String)
        #expect(try await HTTP.send(.POST, base + "/checkin", token: door, json: ["secret": secrets[0], "gate": "A", "scanId": "1"]).status == 200)
        let now = ISO8601DateFormatter().string(from: Date())
        let upload = try await HTTP.send(
            .POST, base + "/checkin/batch", token: door,
            json: [
                "scans": [
                    ["secret": secrets[0], "gate": "B", "scanId": "2", "scannedAt": now],
                    ["secret": secrets[1], "gate": "B", "scanId": "3", "scannedAt": now],
                ]
            ])
        let position = try await scenario.history(session).compactMap { $0["position"] as? Int }.max() ?? 0
        #expect(upload.status == 200)
        var bookings: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let kpis = try await HTTP.send(.GET, base + "/kpis").json
            let lag = (kpis["projections"] as? [[String: Any]])?.first { $0["name"] as? String == "kpis" }
            if (lag?["position"] as? Int ?? 0) >= position {
                bookings = kpis["bookings"] as? [String: Any] ?? [:]
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(bookings["door"] as? [String: Int] == ["checkedIn": 2, "doubleEntries": 1])
        let minutes = try #require(bookings["salesPerMinute"] as? [[String: Any]])
        #expect(minutes.reduce(0) { $0 + ($1["arrivals"] as? Int ?? 0) } == 2)
    }
}
