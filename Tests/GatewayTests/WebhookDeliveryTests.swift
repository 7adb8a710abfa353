import Foundation
import Synchronization
import TestSupport
import Testing
import Webhooks

/// Webhooks end to end: a real server and delivery worker, real receivers on loopback ports.
/// No timing is asserted: each test waits (bounded) until what must arrive has arrived.
@Suite("Webhook delivery (end to end)", .serialized)
struct WebhookDeliveryTests {
    static let bookingTypes = ["BookingPlaced", "BookingConfirmed", "BookingCancelled"]

    /// Fast retries and a short time-out so a test sees many attempts; `127.0.0.1` allowed and, when
    /// `strict`, nothing else (nothing a test registers can leave the machine).
    static func environment(maxAge: Double = 120, strict: Bool = true) -> [String: String] {
        [
            "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WEBHOOK_ONLY_ALLOWED_HOSTS": strict ? "1" : "", "WEBHOOK_TIMEOUT": "0.5",
            "WEBHOOK_RETRY_BASE": "0.05", "WEBHOOK_RETRY_MAX": "0.2",
            "WEBHOOK_MAX_AGE": String(maxAge),
        ]
    }

    static func register(_ base: String, _ admin: String, url: String, events: [String], secret: String) async throws -> String {
        let reply = try await HTTP.send(.POST, base + "/webhooks", token: admin, json: ["url": url, "events": events, "secret": secret])
        #expect(reply.status == 201, "register: \(reply.text)")
        #expect(!reply.text.contains(secret), "a caller's secret is never echoed")
        return try #require(reply.json["id"] as? String)
    }

    /// Holds, confirms and cancels in a few sessions: events of several streams, interleaved.
    static func bookings(_ scenario: Scenario, sessions: Int, perSession: Int) async throws -> [String] {
        var ids: [String] = []
        let buyer = try await scenario.user()
        for _ in 0..<sessions { ids.append(try await scenario.seatedSession(rows: 1, seatsPerRow: perSession)) }
        for seat in 1...perSession {
            for session in ids {
                let held = try await HTTP.send(
                    .POST, "\(scenario.baseURL)/sessions/\(session)/seats/reserve", token: buyer.token, json: ["seats": ["A\(seat)"]])
                #expect(held.status == 201, "hold: \(held.text)")
                let booking = try #require(held.json["id"] as? String)
                let next = seat.isMultiple(of: 2) ? "confirm" : "cancel"
                let done = try await HTTP.send(.POST, "\(scenario.baseURL)/bookings/\(booking)/\(next)", token: buyer.token)
                #expect(done.status == 200, "\(next): \(done.text)")
            }
        }
        return ids
    }

    /// The positions of the sessions' events of `types`, as their histories say.
    static func expected(_ scenario: Scenario, _ sessions: [String], types: [String]) async throws -> Set<Int64> {
        var positions: Set<Int64> = []
        for session in sessions {
            for entry in try await scenario.history(session) where types.contains(entry["type"] as? String ?? "") {
                positions.insert(Int64(try #require(entry["position"] as? Int)))
            }
        }
        return positions
    }

    /// Waits (bounded) until `done`; answers whether it came true.
    static func eventually(seconds: Double = 90, _ done: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        while ContinuousClock.now < deadline {
            if try await done() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await done()
    }

    /// Per stream, the versions in the order they first arrived successfully must be increasing.
    static func streamOrderKept(_ receipts: [WebhookReceiver.Receipt]) -> [String] {
        var seen: Set<Int64> = []
        var last: [String: Int] = [:]
        var problems: [String] = []
        for receipt in receipts where receipt.succeeded && seen.insert(receipt.id).inserted {
            if let previous = last[receipt.streamId], previous >= receipt.version {
                problems.append("\(receipt.streamId): v\(receipt.version) after v\(previous)")
            }
            last[receipt.streamId] = receipt.version
        }
        return problems
    }

    @Test func everyEventArrivesSignedAndInStreamOrderThroughFailuresAndTimeoutsWhileADeadEndpointWaits() async throws {
        // In turns: fail, hang past the worker's time-out, succeed.
        let flaky = WebhookReceiver(secret: "flaky-secret-0123456789") { [.fail, .hang, .succeed][($0 - 1) % 3] }
        let dead = WebhookReceiver(secret: "dead-secret-0123456789") { _ in .hang }
        try await flaky.start()
        try await dead.start()
        defer {
            flaky.stop()
            dead.stop()
        }
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: Self.environment(), databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        // The dead endpoint registered first and for everything: it must not hold up the flaky one.
        let deadId = try await Self.register(server.baseURL, server.adminToken, url: dead.url, events: ["*"], secret: dead.secret)
        let flakyId = try await Self.register(server.baseURL, server.adminToken, url: flaky.url, events: Self.bookingTypes, secret: flaky.secret)
        let sessions = try await Self.bookings(scenario, sessions: 2, perSession: 3)
        let expected = try await Self.expected(scenario, sessions, types: Self.bookingTypes)
        #expect(expected.count == 12)

        let arrived = try await Self.eventually { expected.isSubset(of: flaky.delivered) }
        #expect(arrived, "missing: \(expected.subtracting(flaky.delivered).sorted())")
        let receipts = flaky.receipts
        #expect(receipts.allSatisfy { $0.signatureValid }, "every request signed with the endpoint's secret")
        #expect(Set(receipts.map(\.type)).isSubset(of: Set(Self.bookingTypes)), "only the types asked for")
        #expect(Self.streamOrderKept(receipts) == [])
        #expect(receipts.contains { !$0.succeeded }, "the receiver failed and timed out in between")
        // Meanwhile the dead endpoint got nothing through, and its queue says so.
        #expect(dead.delivered.isEmpty)
        let deadDeliveries = try await HTTP.send(.GET, "\(server.baseURL)/webhooks/\(deadId)/deliveries", token: server.adminToken)
        #expect(deadDeliveries.status == 200)
        let items = deadDeliveries.json["items"] as? [[String: Any]] ?? []
        #expect(!items.isEmpty && items.allSatisfy { $0["status"] as? String == "pending" }, "\(deadDeliveries.text.prefix(400))")

        // The receiver has answered the last one; the worker records it as delivered right after.
        var delivered: Set<Int64> = []
        let recorded = try await Self.eventually(seconds: 20) {
            let flakyDeliveries = try await HTTP.send(
                .GET, "\(server.baseURL)/webhooks/\(flakyId)/deliveries?status=delivered&limit=1000", token: server.adminToken)
            delivered = Set((flakyDeliveries.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["position"] as? Int).map(Int64.init) })
            return delivered == expected
        }
        #expect(recorded, "the admin sees every delivery as delivered: \(delivered.sorted()) of \(expected.sorted())")
        #expect(!server.log().contains(flaky.secret) && !server.log().contains(dead.secret), "no secret in the log")
    }

    @Test func aDeliveryPastItsMaxAgeIsMarkedFailedAndTheAdminRetriesIt() async throws {
        let receiverUp = Switch()
        let receiver = WebhookReceiver(secret: "retry-secret-0123456789") { _ in receiverUp.isOn ? .succeed : .fail }
        try await receiver.start()
        defer { receiver.stop() }
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: Self.environment(maxAge: 1),
            databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let (base, admin) = (server.baseURL, server.adminToken)
        let id = try await Self.register(base, admin, url: receiver.url, events: ["SessionScheduled"], secret: receiver.secret)
        let scenario = Scenario(baseURL: base, adminToken: admin)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 2)
        let position = try #require(try await Self.expected(scenario, [session], types: ["SessionScheduled"]).first)

        func delivery() async throws -> [String: Any] {
            let reply = try await HTTP.send(.GET, "\(base)/webhooks/\(id)/deliveries", token: admin)
            return (reply.json["items"] as? [[String: Any]] ?? []).first { ($0["position"] as? Int).map(Int64.init) == position } ?? [:]
        }
        let failed = try await Self.eventually { try await delivery()["status"] as? String == "failed" }
        let given = try await delivery()
        #expect(failed, "past WEBHOOK_MAX_AGE the delivery is failed: \(given)")
        #expect(given["attempts"] as? Int ?? 0 >= 1)
        #expect(given["lastError"] as? String == "HTTP 500")

        let metrics = try await HTTP.send(.GET, "\(base)/metrics")
        #expect(metrics.text.contains(#"boxoffice_webhook_deliveries{status="failed"} 1"#), "failed deliveries are counted in /metrics")

        receiverUp.turnOn()
        let retried = try await HTTP.send(.POST, "\(base)/webhooks/\(id)/deliveries/\(position)/retry", token: admin)
        #expect(retried.status == 200, "\(retried.text)")
        let arrived = try await Self.eventually { receiver.delivered.contains(position) }
        #expect(arrived)
        let markedDelivered = try await Self.eventually { try await delivery()["status"] as? String == "delivered" }
        #expect(markedDelivered)
        // A delivered one may be replayed too; an unknown one is 404.
        let again = try await HTTP.send(.POST, "\(base)/webhooks/\(id)/deliveries/\(position)/retry", token: admin)
        #expect(again.status == 200 || again.errorCode == "delivery_pending", "\(again.text)")
        let unknown = try await HTTP.send(.POST, "\(base)/webhooks/\(id)/deliveries/999999/retry", token: admin)
        #expect(unknown.status == 404)
        let otherWebhook = try await HTTP.send(.GET, "\(base)/webhooks/whk_nothing/deliveries", token: admin)
        #expect(otherWebhook.status == 404)
    }

    @Test func aNameThatResolvesToAnInsideAddressIsRefusedAtDelivery() async throws {
        let receiver = WebhookReceiver(secret: "inside-secret-0123456789") { _ in .succeed }
        try await receiver.start()
        defer { receiver.stop() }
        // Not strict: the name must pass registration for the check at delivery to be seen; it is loopback anyway.
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: Self.environment(strict: false),
            databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let (base, admin) = (server.baseURL, server.adminToken)
        // 2130706433 is 127.0.0.1 written as one number: not an address literal to the registration check, and
        // not the allowed host `127.0.0.1` either, but the resolver turns it into loopback.
        let port = try #require(URL(string: receiver.url)?.port)
        let id = try await Self.register(base, admin, url: "http://2130706433:\(port)/hook", events: ["SessionScheduled"], secret: receiver.secret)
        _ = try await Scenario(baseURL: base, adminToken: admin).seatedSession(rows: 1, seatsPerRow: 1)
        let refused = try await Self.eventually {
            let reply = try await HTTP.send(.GET, "\(base)/webhooks/\(id)/deliveries", token: admin)
            let first = (reply.json["items"] as? [[String: Any]])?.first
            return (first?["lastError"] as? String)?.hasPrefix("refused:") == true
        }
        #expect(refused, "the resolved address is checked before sending")
        #expect(receiver.receipts.isEmpty, "nothing reached the inside address")
    }

    @Test func nothingIsLostAcrossASigkillOfTheDeliveryWorker() async throws {
        // Before the kill: three answers, then none (hung past the time-out), so the kill provably lands with
        // deliveries outstanding. After it: every fourth request fails.
        let restarted = Switch()
        let receiver = WebhookReceiver(secret: "crash-secret-0123456789") { turn in
            restarted.isOn ? (turn.isMultiple(of: 4) ? .fail : .succeed) : (turn <= 3 ? .succeed : .hang)
        }
        try await receiver.start()
        defer { receiver.stop() }
        let database = try await TestDatabase.freshDatabase()
        let environment = Self.environment()
        let server = try await ServerProcess(environment: environment, databaseURL: database)
        defer { server.stop() }
        let (base, admin) = (server.baseURL, server.adminToken)
        _ = try await Self.register(base, admin, url: receiver.url, events: Self.bookingTypes, secret: receiver.secret)
        let scenario = Scenario(baseURL: base, adminToken: admin)
        let first = try await ServerProcess(arguments: ["deliver"], environment: environment, databaseURL: database, waitForHealth: false)
        let sessions = try await Self.bookings(scenario, sessions: 3, perSession: 6)
        let expected = try await Self.expected(scenario, sessions, types: Self.bookingTypes)
        let someArrived = try await Self.eventually { receiver.delivered.count >= 3 }
        #expect(someArrived)
        first.signal(SIGKILL)
        _ = first.waitForExit()
        let deliveredBeforeKill = receiver.delivered.count
        #expect(deliveredBeforeKill < expected.count, "the kill landed mid-stream")
        restarted.turnOn()
        let second = try await ServerProcess(arguments: ["deliver"], environment: environment, databaseURL: database, waitForHealth: false)
        defer { second.stop() }
        let arrived = try await Self.eventually { expected.isSubset(of: receiver.delivered) }
        #expect(arrived, "lost across the kill: \(expected.subtracting(receiver.delivered).sorted()); \(deliveredBeforeKill) before it")
        #expect(receiver.receipts.allSatisfy { $0.signatureValid })
        #expect(Self.streamOrderKept(receiver.receipts) == [])
    }
}

/// A switch a test flips while a receiver reads it.
final class Switch: Sendable {
    private let on = Mutex(false)
    var isOn: Bool { on.withLock { $0 } }
    func turnOn() { on.withLock { $0 = true } }
}
