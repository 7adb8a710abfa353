import Commands
import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

@testable import Gateway

/// Every route × {no token, bad token, another user's token, the owner's token, the admin token} against
/// a real `boxoffice serve --with-workers`: the status is what SPEC says, no answer leaks a token or
/// another user's data, tokens are stored only hashed, and the log holds one line per request and no token.
@Suite("Security matrix (end to end)", .serialized)
struct SecurityMatrixTests {
    /// In this order, so the other user's refusal comes before the owner's change and the admin's repeat.
    /// The door scanner comes last: its token checks tickets in and is refused everywhere else.
    enum Caller: String, CaseIterable, Sendable { case none, bad, other, owner, admin, scanner }

    struct Row: Sendable {
        var route: String
        var expected: [Caller: Int]
        var send: @Sendable (_ token: String?, _ requestId: String) async throws -> Reply
    }

    static let adminOnly: [Caller: Int] = [.none: 401, .bad: 401, .other: 403, .owner: 403, .admin: 200]
    static let everyone: [Caller: Int] = [.none: 200, .bad: 200, .other: 200, .owner: 200, .admin: 200]
    static let anyUser: [Caller: Int] = [.none: 401, .bad: 401, .other: 200, .owner: 200, .admin: 200]
    static let ownerOrAdmin: [Caller: Int] = [.none: 401, .bad: 401, .other: 403, .owner: 200, .admin: 200]

    static func created(_ codes: [Caller: Int]) -> [Caller: Int] { codes.mapValues { $0 == 200 ? 201 : $0 } }

    /// A door scanner's token gets what anyone gets on a public route, and 403 on every other one.
    static func expected(_ row: Row, _ caller: Caller) -> Int? {
        guard caller == .scanner, row.expected[.scanner] == nil else { return row.expected[caller] }
        return row.expected[.none].map { $0 < 300 ? $0 : 403 }
    }

    static let scannerOnly: [Caller: Int] = [.none: 401, .bad: 401, .other: 403, .owner: 403, .admin: 403, .scanner: 200]

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1
                return $0
            }
        }
    }

    @Test func everyRouteAnswersEveryKindOfCallerAsSpecified() async throws {
        let adminToken = "adm-" + UUID().uuidString
        let database = try await TestDatabase.freshDatabase()
        let server = try await ServerProcess(
            // Owner and admin each extend the same hold: two extensions.
            arguments: ["serve", "--with-workers"],
            environment: ["LOG_LEVEL": "debug", "HOLD_EXTENSIONS": "2", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WEBHOOK_ONLY_ALLOWED_HOSTS": "1"],
            adminToken: adminToken, databaseURL: database)
        defer { server.stop() }
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: adminToken)
        let get: @Sendable (String, String?, String) async throws -> Reply = { path, token, requestId in
            try await HTTP.send(.GET, base + path, token: token, headers: ["X-Request-Id": requestId])
        }
        let post: @Sendable (String, String?, [String: Any]?, String) async throws -> Reply = { path, token, json, requestId in
            try await HTTP.send(.POST, base + path, token: token, json: json, headers: ["X-Request-Id": requestId])
        }

        // Fixtures: the owner, another user, a hall, a seated session, a GA event, the owner's held bookings.
        let ownerEmail = "owner-\(UUID().uuidString.lowercased())@example.test"
        let registered = try await HTTP.send(.POST, base + "/users", json: ["name": "Owner", "email": ownerEmail])
        let owner = (id: try #require(registered.json["id"] as? String), token: try #require(registered.json["token"] as? String))
        let usersPosition = try #require(registered.json["position"] as? Int)
        let other = try await scenario.user("Other")
        let hallReply = try await HTTP.send(
            .POST, base + "/halls", token: adminToken,
            json: [
                "name": "Matrix", "sections": [["id": "main", "name": "Main", "price": 10, "rows": [["row": "A", "seats": 200]]]],
            ])
        let hall = try #require(hallReply.json["id"] as? String)
        let hallPosition = try #require(hallReply.json["position"] as? Int)
        let sessionReply = try await HTTP.send(
            .POST, base + "/sessions", token: adminToken,
            json: ["title": "Matrix", "hallId": hall, "startsAt": "2026-12-24T20:00:00Z"])
        let session = try #require(sessionReply.json["id"] as? String)
        let event = try await scenario.gaEvent(capacity: 1_000)
        var ownerBookings: [String] = []
        var sessionsPosition = 0
        func hold(_ seat: String, _ user: (id: String, token: String)) async throws -> String {
            let reply = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": [seat]])
            #expect(reply.status == 201, "fixture hold of \(seat): \(reply.text)")
            sessionsPosition = max(sessionsPosition, reply.json["position"] as? Int ?? 0)
            return try #require(reply.json["id"] as? String)
        }
        let toConfirm = try await hold("A190", owner)
        let toConfirmAlias = try await hold("A191", owner)
        let toCancel = try await hold("A192", owner)
        let toRead = try await hold("A193", owner)
        let toExtend = try await hold("A194", owner)
        ownerBookings += [toConfirm, toConfirmAlias, toCancel, toRead, toExtend]
        let othersBooking = try await hold("A199", other)
        let sessionsAt = sessionsPosition
        let selling = try await sellingFixtures(base: base, adminToken: adminToken, session: session, owner: owner, scenario: scenario)
        let (tinyHall, tiny, full, roomed, offer) = (selling.tinyHall, selling.tiny, selling.full, selling.roomed, selling.offer)
        let (third, toRelease, toBookFrom) = (selling.third, selling.toRelease, selling.toBookFrom)
        let door = try await doorFixtures(base: base, adminToken: adminToken, hall: hall, owner: owner)
        ownerBookings.append(door.booking)
        let ownerBookingsSnapshot = ownerBookings
        let scans = Counter()

        func registerWebhook() async throws -> String {
            let reply = try await post("/webhooks", adminToken, ["url": "http://127.0.0.1:9/hook", "events": ["HallCreated"]], "fixture")
            #expect(reply.status == 201, "fixture webhook: \(reply.text)")
            return try #require(reply.json["id"] as? String)
        }
        let (webhook, webhookToRemove) = (try await registerWebhook(), try await registerWebhook())

        let seats = Counter()
        let blockedSeats = Counter()
        let emails = Counter()
        let rows: [Row] = [
            Row(route: "POST /halls", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/halls", token, ["name": "H", "sections": [["name": "S", "price": 1, "rows": [["row": "A", "seats": 2]]]]], id)
            },
            Row(route: "POST /sessions", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/sessions", token, ["title": "T", "hallId": hall, "startsAt": "2026-12-24T20:00:00Z"], id)
            },
            Row(route: "POST /events/create", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/events/create", token, ["name": "E", "sections": [["name": "F", "price": 5, "capacity": 10]]], id)
            },
            Row(route: "POST /admin/shows", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/admin/shows", token, ["name": "S", "start_time": "2026-12-24T20:00:00Z", "total_seats": 5], id)
            },
            Row(route: "POST /sessions/{id}/sales", expected: Self.adminOnly) { token, id in
                try await post("/sessions/\(session)/sales", token, ["maxSeatsPerUser": 100], id)
            },
            Row(route: "POST /sessions/{id}/blocks", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/sessions/\(session)/blocks", token, ["seats": ["A\(150 + blockedSeats.next())"], "reason": "house"], id)
            },
            Row(route: "GET /sessions/{id}/blocks", expected: Self.adminOnly) { token, id in
                try await get("/sessions/\(session)/blocks", token, id)
            },
            Row(route: "DELETE /sessions/{id}/blocks/{blockId}", expected: Self.adminOnly) { token, id in
                try await HTTP.send(.DELETE, "\(base)/sessions/\(session)/blocks/\(toRelease)", token: token, headers: ["X-Request-Id": id])
            },
            Row(route: "POST /sessions/{id}/blocks/{blockId}/book", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/sessions/\(session)/blocks/\(toBookFrom)/book", token, ["userId": owner.id], id)
            },
            // Any user joins for themselves; the admin names the user.
            Row(route: "POST /sessions/{id}/waitlist", expected: Self.created(Self.anyUser)) { token, id in
                try await post("/sessions/\(full)/waitlist", token, token == adminToken ? ["count": 1, "userId": third.id] : ["count": 1], id)
            },
            // Everyone with a token sees only their own entry: the other user has none (404 before the owner's row).
            Row(route: "GET /sessions/{id}/waitlist", expected: [.none: 401, .bad: 401, .other: 404, .owner: 200, .admin: 200]) { token, id in
                try await get("/sessions/\(tiny)/waitlist", token, id)
            },
            Row(route: "DELETE /sessions/{id}/waitlist", expected: Self.anyUser) { token, id in
                try await HTTP.send(
                    .DELETE, "\(base)/sessions/\(full)/waitlist\(token == adminToken ? "?userId=\(third.id)" : "")", token: token,
                    headers: ["X-Request-Id": id])
            },
            Row(route: "POST /offers/{id}/accept", expected: Self.ownerOrAdmin) { token, id in
                try await post("/offers/\(offer)/accept", token, nil, id)
            },
            Row(route: "POST /sessions/{id}/waiting-room", expected: Self.created(Self.adminOnly)) { token, id in
                // A fresh session each time, so only the admin's call opens one.
                let fresh = try await HTTP.send(
                    .POST, base + "/sessions", token: adminToken, json: ["title": "Room", "hallId": tinyHall, "startsAt": "2026-12-24T20:00:00Z"])
                return try await post(
                    "/sessions/\(fresh.json["id"] as? String ?? "")/waiting-room", token,
                    ["onSaleAt": ISO8601.string(from: Date().addingTimeInterval(3_600)), "admitPerMinute": 60], id)
            },
            Row(route: "POST /sessions/{id}/queue", expected: Self.created(Self.anyUser)) { token, id in
                try await post("/sessions/\(roomed)/queue", token, token == adminToken ? ["userId": third.id] : nil, id)
            },
            // A buyer sees the room and only their own place (both users queued in the row above).
            Row(route: "GET /sessions/{id}/queue", expected: [.none: 401, .bad: 401, .other: 200, .owner: 200, .admin: 200]) { token, id in
                try await get("/sessions/\(roomed)/queue", token, id)
            },
            Row(route: "GET /sessions/{id}/history", expected: Self.adminOnly) { token, id in
                try await get("/sessions/\(session)/history", token, id)
            },
            Row(route: "POST /users", expected: Self.created(Self.everyone)) { token, id in
                try await post("/users", token, ["name": "New", "email": "new\(emails.next())-\(UUID().uuidString)@example.test"], id)
            },
            Row(route: "GET /users/{id}", expected: Self.ownerOrAdmin) { token, id in
                try await get("/users/\(owner.id)?minPosition=\(usersPosition)", token, id)
            },
            Row(route: "POST /sessions/{id}/seats/reserve", expected: Self.created(Self.ownerOrAdmin)) { token, id in
                try await post("/sessions/\(session)/seats/reserve", token, ["seats": ["A\(seats.next())"], "userId": owner.id], id)
            },
            Row(route: "POST /book", expected: Self.created(Self.ownerOrAdmin)) { token, id in
                try await post("/book", token, ["eventId": event, "qty": 1, "userId": owner.id], id)
            },
            Row(route: "POST /bookings/{id}/confirm", expected: Self.ownerOrAdmin) { token, id in
                try await post("/bookings/\(toConfirm)/confirm", token, nil, id)
            },
            Row(route: "POST /book/confirm", expected: Self.ownerOrAdmin) { token, id in
                try await post("/book/confirm", token, ["bookingId": toConfirmAlias], id)
            },
            Row(route: "POST /bookings/{id}/cancel", expected: Self.ownerOrAdmin) { token, id in
                try await post("/bookings/\(toCancel)/cancel", token, nil, id)
            },
            Row(route: "POST /bookings/{id}/extend", expected: Self.ownerOrAdmin) { token, id in
                try await post("/bookings/\(toExtend)/extend", token, nil, id)
            },
            Row(route: "GET /bookings", expected: Self.anyUser) { token, id in
                try await get("/bookings?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /bookings/{id}", expected: Self.ownerOrAdmin) { token, id in
                try await get("/bookings/\(toRead)?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /book/{id}", expected: Self.ownerOrAdmin) { token, id in
                try await get("/book/\(toRead)?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /admin/bookings", expected: Self.adminOnly) { token, id in
                try await get("/admin/bookings?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /bookings/{id}/tickets", expected: Self.ownerOrAdmin) { token, id in
                try await get("/bookings/\(door.booking)/tickets", token, id)
            },
            Row(route: "POST /scanners", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/scanners", token, ["name": "Gate"], id)
            },
            Row(route: "POST /checkin", expected: Self.scannerOnly) { token, id in
                try await post("/checkin", token, ["secret": door.secrets[0], "gate": "Main", "scanId": "m\(scans.next())"], id)
            },
            Row(route: "POST /checkin/batch", expected: Self.scannerOnly) { token, id in
                let scan: [String: Any] = [
                    "secret": door.secrets[1], "gate": "Main", "scanId": "b\(scans.next())", "scannedAt": ISO8601.string(from: Date()),
                ]
                return try await post("/checkin/batch", token, ["scans": [scan]], id)
            },
            Row(route: "GET /sessions/{id}/checkins", expected: Self.adminOnly) { token, id in
                try await get("/sessions/\(door.session)/checkins", token, id)
            },
            Row(route: "GET /halls", expected: Self.everyone) { token, id in try await get("/halls?minPosition=\(hallPosition)", token, id) },
            Row(route: "GET /halls/{id}", expected: Self.everyone) { token, id in
                try await get("/halls/\(hall)?minPosition=\(hallPosition)", token, id)
            },
            Row(route: "GET /sessions", expected: Self.everyone) { token, id in try await get("/sessions?minPosition=\(sessionsAt)", token, id) },
            Row(route: "GET /shows", expected: Self.everyone) { token, id in try await get("/shows?minPosition=\(sessionsAt)", token, id) },
            Row(route: "GET /sessions/{id}", expected: Self.everyone) { token, id in
                try await get("/sessions/\(session)?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /events/{id}", expected: Self.everyone) { token, id in
                try await get("/events/\(event)?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /sessions/{id}/seats", expected: Self.everyone) { token, id in
                try await get("/sessions/\(session)/seats?minPosition=\(sessionsAt)", token, id)
            },
            Row(route: "GET /sessions/{id}/seats/stream", expected: Self.everyone) { token, id in
                // The stream does not end: its first event is the answer.
                let stream = try await EventStreamConnection.open(
                    "\(base)/sessions/\(session)/seats/stream",
                    headers: ["X-Request-Id": id].merging(token.map { ["Authorization": "Bearer \($0)"] } ?? [:]) { $1 })
                defer { stream.close() }
                let first = await stream.events(atLeast: 1).first
                return Reply(status: stream.status, headers: stream.headers, body: Data((first?.data ?? "").utf8))
            },
            Row(route: "GET /shows/{id}/seats", expected: Self.everyone) { token, id in
                try await get("/shows/\(session)/seats?minPosition=\(sessionsAt)", token, id)
            },
            // Webhooks: admin only, every route.
            Row(route: "POST /webhooks", expected: Self.created(Self.adminOnly)) { token, id in
                try await post("/webhooks", token, ["url": "http://127.0.0.1:9/hook", "events": ["HallCreated"]], id)
            },
            Row(route: "GET /webhooks", expected: Self.adminOnly) { token, id in try await get("/webhooks", token, id) },
            Row(route: "GET /webhooks/{id}", expected: Self.adminOnly) { token, id in try await get("/webhooks/\(webhook)", token, id) },
            Row(route: "GET /webhooks/{id}/deliveries", expected: Self.adminOnly) { token, id in
                try await get("/webhooks/\(webhook)/deliveries", token, id)
            },
            // No delivery at that position: the admin is answered 404, everyone else refused before the look-up.
            Row(route: "POST /webhooks/{id}/deliveries/{position}/retry", expected: Self.adminOnly.merging([.admin: 404]) { $1 }) {
                token, id in try await post("/webhooks/\(webhook)/deliveries/999999999/retry", token, nil, id)
            },
            Row(route: "DELETE /webhooks/{id}", expected: Self.adminOnly.merging([.admin: 204]) { $1 }) { token, id in
                try await HTTP.send(.DELETE, "\(base)/webhooks/\(webhookToRemove)", token: token, headers: ["X-Request-Id": id])
            },
            Row(route: "GET /health", expected: Self.everyone) { token, id in try await get("/health", token, id) },
            Row(route: "GET /openapi.json", expected: Self.everyone) { token, id in try await get("/openapi.json", token, id) },
            // Operations and pages: public, aggregated figures only.
            Row(route: "GET /kpis", expected: Self.everyone) { token, id in try await get("/kpis", token, id) },
            Row(route: "GET /metrics", expected: Self.everyone) { token, id in try await get("/metrics", token, id) },
            Row(route: "GET /dashboard", expected: Self.everyone) { token, id in try await get("/dashboard", token, id) },
            Row(route: "GET /", expected: Self.everyone) { token, id in try await get("/", token, id) },
        ]

        // The matrix covers exactly the router's routes.
        let routed = try await RouteList.all()
        let covered = Set(rows.map(\.route))
        #expect(routed.subtracting(covered).sorted() == [], "routes without a row in the security matrix")
        #expect(covered.subtracting(routed).sorted() == [])

        let tokens: [Caller: String?] = [
            .none: nil, .bad: "bo_" + UUID().uuidString, .other: other.token, .owner: owner.token, .admin: adminToken, .scanner: door.token,
        ]
        let secrets = [adminToken, owner.token, other.token, door.token]
        var requestIds: [String] = []
        var issuedTokens: [String] = []
        for row in rows where routed.contains(row.route) {
            for caller in Caller.allCases {
                let requestId = "matrix-\(requestIds.count)"
                requestIds.append(requestId)
                let reply = try await row.send(tokens[caller]!, requestId)
                let context = "\(row.route) as \(caller.rawValue): \(reply.status) \(reply.text.prefix(300))"
                #expect(reply.status == Self.expected(row, caller), "\(context)")
                #expect(reply.headers.first(name: "X-Request-Id") == requestId, "\(context)")
                if reply.status >= 400 { #expect(reply.errorCode != nil, "\(context)") }
                for secret in secrets { #expect(!reply.text.contains(secret), "a token leaked: \(context)") }
                if let token = reply.json["token"] as? String {
                    #expect(["POST /users", "POST /scanners"].contains(row.route), "only registration shows a token: \(context)")
                    issuedTokens.append(token)
                }
                if [.none, .bad, .other, .scanner].contains(caller) {
                    for private_ in [owner.id, ownerEmail] + ownerBookingsSnapshot {
                        #expect(!reply.text.contains(private_), "the owner's data leaked: \(context)")
                    }
                }
            }
        }

        // A user's list holds their own bookings only, whatever they ask for.
        let othersList = try await HTTP.send(.GET, "\(base)/bookings?minPosition=\(sessionsAt)", token: other.token)
        let othersIds = ((othersList.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(othersIds == [othersBooking])
        #expect(try await HTTP.send(.GET, "\(base)/bookings?userId=\(owner.id)", token: other.token).status == 403)
        let ownersList = try await HTTP.send(.GET, "\(base)/bookings?minPosition=\(sessionsAt)&limit=1000", token: owner.token)
        let ownersItems = (ownersList.json["items"] as? [[String: Any]]) ?? []
        #expect(!ownersItems.isEmpty && ownersItems.allSatisfy { $0["userId"] as? String == owner.id })

        try await tokensAreStoredHashed(database: database, tokens: secrets + issuedTokens, owner: owner.token)
        try await logHasOneLinePerRequestAndNoToken(
            server, requestIds: requestIds, tokens: secrets + issuedTokens,
            confirmed: toConfirm, session: session)
    }
}
