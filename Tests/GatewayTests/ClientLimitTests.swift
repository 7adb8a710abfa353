import Foundation
import TestSupport
import Testing

/// Issue 14 item 5: the rate limit counts a request against its user when the token is valid, and
/// against the client's address otherwise, so neither leaving the token out nor inventing one escapes it.
@Suite("Rate limit by user and by client address")
struct ClientLimitTests {
    /// A burst of 20, then one request per 20 s: a quick loop of 60 must run dry, and a spent bucket stays
    /// spent for the rest of the test however slowly a busy machine runs it.
    static let strict = ["--rate-limit", "0.05", "--rate-limit-burst", "20"]

    /// Sends up to 60 quick requests; the first 429, if any.
    static func firstRefusal(_ send: (Int) async throws -> Reply) async throws -> Reply? {
        for attempt in 0..<60 {
            let reply = try await send(attempt)
            if reply.status == 429 { return reply }
            #expect(reply.status == 200, "\(reply.status) \(reply.text)")
        }
        return nil
    }

    @Test func anonymousAndInventedTokensCountAgainstTheAddressAndUsersKeepTheirOwn() async throws {
        let server = try await ServerProcess(arguments: ["serve"] + Self.strict)
        defer { server.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let user = try await scenario.user("Regular")
        let sessions = server.baseURL + "/sessions"

        // A new random token per request used to buy a fresh bucket (and a database look-up) each time.
        let invented = try await Self.firstRefusal { _ in
            try await HTTP.send(.GET, sessions, token: "bo_" + UUID().uuidString + UUID().uuidString)
        }
        #expect(invented?.errorCode == "rate_limited", "invented tokens escaped the limit")
        #expect(invented?.headers.first(name: "Retry-After") != nil)
        // Leaving the token out is the same address.
        let anonymous = try await Self.firstRefusal { _ in try await HTTP.send(.GET, sessions) }
        #expect(anonymous?.errorCode == "rate_limited", "requests without a token were never limited")
        let rotatingHeader = try await Self.firstRefusal { attempt in
            try await HTTP.send(.GET, sessions, headers: ["X-Forwarded-For": "198.51.100.\(attempt)"])
        }
        #expect(rotatingHeader?.errorCode == "rate_limited", "X-Forwarded-For from an untrusted peer was believed")

        // The address is spent, but a valid token counts against its own user.
        #expect(try await HTTP.send(.GET, server.baseURL + "/bookings", token: user.token).status == 200)
        #expect(try await HTTP.send(.GET, sessions, token: server.adminToken).status == 200, "the admin token is not limited")
        let greedy = try await Self.firstRefusal { _ in try await HTTP.send(.GET, server.baseURL + "/bookings", token: user.token) }
        #expect(greedy?.errorCode == "rate_limited", "a user's own requests are limited too")
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() async throws {
        let server = try await ServerProcess(arguments: ["serve"] + Self.strict, environment: ["TRUSTED_PROXIES": "127.0.0.0/8, ::1"])
        defer { server.stop() }
        let sessions = server.baseURL + "/sessions"
        let first = try await Self.firstRefusal { _ in try await HTTP.send(.GET, sessions, headers: ["X-Forwarded-For": "203.0.113.7"]) }
        #expect(first?.errorCode == "rate_limited")
        // Another client behind the same proxy has its own bucket...
        #expect(try await HTTP.send(.GET, sessions, headers: ["X-Forwarded-For": "203.0.113.8"]).status == 200)
        // ...and what a client writes left of the address the proxy appended is never read.
        let spoofed = try await HTTP.send(.GET, sessions, headers: ["X-Forwarded-For": "203.0.113.99, 203.0.113.7"])
        #expect(spoofed.status == 429, "the right-most untrusted hop is the client")
        let twoProxies = try await HTTP.send(.GET, sessions, headers: ["X-Forwarded-For": "203.0.113.7, 127.0.0.9"])
        #expect(twoProxies.status == 429, "trusted hops are skipped from the right")
    }

    @Test func badTrustedProxiesAreRefusedAtStartUp() async throws {
        let server = try await ServerProcess(environment: ["TRUSTED_PROXIES": "10.0.0.0/33"], waitForHealth: false)
        defer { server.stop() }
        #expect(server.waitForExit() != 0)
        #expect(server.log().contains("TRUSTED_PROXIES: 10.0.0.0/33"), "\(server.log())")
    }
}
