import EventStore
import Foundation
import TestSupport
import Testing

@testable import Gateway

/// Issue 14 item 11: what the public learns about the system (health details, database error codes)
/// and which admin tokens a gateway accepts at all.
@Suite("Disclosure and admin token hygiene")
struct DisclosureTests {
    let harness = Harness()

    @Test func thePublicHealthIsAStatusAndTheDetailsAreTheAdmins() async throws {
        try await harness.run { api in
            let user = try await api.user()
            for token in [nil, user.token, "bo_not-a-real-token"] {
                let health = try await api.call(.get, "/health", token: token)
                #expect(health.status == 200)
                #expect(health.json.keys.sorted() == ["status"], "\(String(decoding: health.body, as: UTF8.self))")
                #expect(health.json["status"] as? String == "ok")
            }
            let admin = try await api.call(.get, "/health", token: Harness.admin)
            #expect(admin.status == 200 && admin.json["gatewayId"] as? String == "harness")
            #expect((admin.json["eventStore"] as? [String: Any])?["headPosition"] is Int)
            #expect(admin.json["projections"] is [Any])
        }
    }

    @Test func unavailableAnswersNeverCarryTheDatabasesReason() async throws {
        var causes: [any Error] = [EventStoreError.unavailable("database 57P01"), EventStoreError.unavailable("database 08006")]
        do {
            try await withDeadline(.milliseconds(1)) { try await Task.sleep(for: .seconds(5)) }
        } catch {
            causes.append(error)
        }
        #expect(causes.last is DeadlineExceeded)
        for cause in causes {
            let mapped = ErrorMapping.map(cause)
            #expect(mapped?.status == .serviceUnavailable && mapped?.code == "unavailable")
            let message = mapped?.message ?? ""
            #expect(!message.contains("57P01") && !message.contains("08006") && !message.contains("no answer within"), "\(message)")
            #expect(message == "the event store is unavailable; retry shortly")
        }
    }

    @Test func weakAdminTokensAreRefused() {
        #expect(AdminTokenPolicy.problem(with: "change-me")?.contains("example") == true)
        #expect(AdminTokenPolicy.problem(with: "bench-admin")?.contains("at least 16") == true)
        #expect(AdminTokenPolicy.problem(with: String(repeating: "x", count: 15)) != nil)
        #expect(AdminTokenPolicy.problem(with: "sixteen chars ok") != nil, "no spaces: a bearer header could not carry it")
        #expect(AdminTokenPolicy.problem(with: String(repeating: "x", count: 16)) == nil)
        #expect(AdminTokenPolicy.problem(with: "adm_" + String(repeating: "0f", count: 24)) == nil)
    }

    @Test(arguments: [
        ("", "ADMIN_TOKEN (or --admin-token) is required"),
        ("bench-admin", "at least 16 characters"),
        ("change-me", "README's example value"),
    ])
    func serveRefusesToStartWithoutAGoodAdminToken(_ token: String, _ reason: String) async throws {
        let server = try await ServerProcess(adminToken: token, waitForHealth: false)
        defer { server.stop() }
        #expect(server.waitForExit() != 0)
        #expect(server.log().contains(reason), "\(server.log())")
        #expect(!server.log().contains(token.isEmpty ? "admin.token" : "=\(token)"), "the refused token is not echoed")
    }

    @Test func devModeGeneratesATokenForThisRunOnly() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--dev"], environment: ["LOG_LEVEL": "notice"], adminToken: "")
        defer { server.stop() }
        let log = server.log()
        let generated = try #require(log.firstMatch(of: /admin\.token=(adm_[0-9a-f]+)/)?.1, "\(log)")
        let health = try await HTTP.send(.GET, server.baseURL + "/health", token: String(generated))
        #expect(health.json["gatewayId"] is String, "the generated token is the admin's for this run")
    }
}
