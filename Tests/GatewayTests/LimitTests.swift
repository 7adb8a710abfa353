import Foundation
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Limits of the real server process, configured as an operator would.
@Suite("Limits (end to end)", .serialized)
struct LimitTests {
    @Test func maxSeatsPerBookingComesFromTheEnvironment() async throws {
        let server = try await ServerProcess(environment: ["MAX_SEATS_PER_BOOKING": "3"])
        defer { server.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession()
        let event = try await scenario.gaEvent(capacity: 50)
        let user = try await scenario.user()
        let reserve = "\(server.baseURL)/sessions/\(session)/seats/reserve"
        let four = try await HTTP.send(.POST, reserve, token: user.token, json: ["seats": ["A1", "A2", "A3", "A4"]])
        #expect(four.status == 400 && four.text.contains("at most 3"))
        #expect(try await HTTP.send(.POST, reserve, token: user.token, json: ["seats": ["A1", "A2", "A3"]]).status == 201)
        #expect(try await HTTP.send(.POST, server.baseURL + "/book", token: user.token, json: ["eventId": event, "qty": 4]).status == 400)
        #expect(try await HTTP.send(.POST, server.baseURL + "/book", token: user.token, json: ["eventId": event, "qty": 3]).status == 201)
    }

    @Test func aTokenOverItsRateGets429WithRetryAfterAndOthersCarryOn() async throws {
        // One request per second after a burst of 20: a quick loop of 60 requests must run dry.
        let server = try await ServerProcess(arguments: ["serve", "--rate-limit", "1", "--rate-limit-burst", "20"])
        defer { server.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let greedy = try await scenario.user("Greedy")
        let polite = try await scenario.user("Polite")
        var limited: Reply?
        for _ in 0..<60 {
            let reply = try await HTTP.send(.GET, server.baseURL + "/bookings", token: greedy.token)
            if reply.status == 429 {
                limited = reply
                break
            }
            #expect(reply.status == 200)
        }
        let refused = try #require(limited, "60 quick requests never ran into a limit of 20 + 1/s")
        #expect(refused.errorCode == "rate_limited")
        let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap { Int($0) })
        #expect(retryAfter >= 1)
        #expect(refused.headers.first(name: "X-Request-Id") != nil)
        #expect(try await HTTP.send(.GET, server.baseURL + "/bookings", token: polite.token).status == 200, "another token is not affected")
        for _ in 0..<60 {
            #expect(try await HTTP.send(.GET, server.baseURL + "/bookings", token: server.adminToken).status == 200, "the admin token is not limited")
        }
        // Waiting as told is enough.
        try await Task.sleep(for: .seconds(Double(retryAfter) + 0.2))
        #expect(try await HTTP.send(.GET, server.baseURL + "/bookings", token: greedy.token).status == 200)
    }

    @Test func fiveHundredSilentConnectionsDoNotStopOthersAndAreClosed() async throws {
        // Long enough that all 500 are surely still open when the booking goes through, even on a busy machine.
        let server = try await ServerProcess(arguments: ["serve", "--idle-timeout", "30"])
        defer { server.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let event = try await scenario.gaEvent(capacity: 10)
        let user = try await scenario.user()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        let connecting = (0..<500).map { _ in bootstrap.connect(host: "127.0.0.1", port: server.port) }
        var silent: [any Channel] = []
        for future in connecting { silent.append(try await future.get()) }
        // A tenth start a request and never finish it (slowloris).
        for channel in silent.prefix(50) {
            channel.writeAndFlush(ByteBuffer(string: "POST /book HTTP/1.1\r\nHost: boxoffice\r\nContent-Length: 100\r\n"), promise: nil)
        }
        // Someone else books as usual while all 500 are held open.
        let booked = try await HTTP.send(.POST, server.baseURL + "/book", token: user.token, json: ["eventId": event, "qty": 2])
        #expect(booked.status == 201)
        #expect(silent.filter(\.isActive).count == 500, "the silent connections were open while the booking went through")
        // The server closes every silent connection once it has been idle for the timeout.
        let deadline = Date().addingTimeInterval(120)
        while silent.contains(where: \.isActive), Date() < deadline { try await Task.sleep(for: .milliseconds(250)) }
        #expect(silent.filter(\.isActive).count == 0, "connections that never sent a whole request are closed")
        #expect(try await HTTP.send(.GET, server.baseURL + "/health").status == 200)
    }

    @Test func corsAllowsOnlyTheConfiguredOrigins() async throws {
        let server = try await ServerProcess(environment: ["CORS_ORIGINS": "https://tickets.example, https://admin.example"])
        defer { server.stop() }
        let preflight = try await HTTP.send(
            .OPTIONS, server.baseURL + "/book",
            headers: [
                "Origin": "https://tickets.example", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            ])
        #expect(preflight.status == 204)
        #expect(preflight.headers.first(name: "Access-Control-Allow-Origin") == "https://tickets.example")
        #expect(preflight.headers.first(name: "Access-Control-Allow-Headers")?.contains("Authorization") == true)
        let allowed = try await HTTP.send(.GET, server.baseURL + "/sessions", headers: ["Origin": "https://admin.example"])
        #expect(allowed.status == 200 && allowed.headers.first(name: "Access-Control-Allow-Origin") == "https://admin.example")
        let error = try await HTTP.send(.GET, server.baseURL + "/bookings", headers: ["Origin": "https://admin.example"])
        #expect(
            error.status == 401 && error.headers.first(name: "Access-Control-Allow-Origin") == "https://admin.example",
            "a browser can read error answers too")
        let foreign = try await HTTP.send(.GET, server.baseURL + "/sessions", headers: ["Origin": "https://evil.example"])
        #expect(foreign.status == 200 && foreign.headers.first(name: "Access-Control-Allow-Origin") == nil)
        let foreignPreflight = try await HTTP.send(
            .OPTIONS, server.baseURL + "/book",
            headers: [
                "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
            ])
        #expect(foreignPreflight.status == 405 && foreignPreflight.headers.first(name: "Access-Control-Allow-Origin") == nil)
    }

    @Test func withoutConfigurationNoOriginIsAllowed() async throws {
        let server = try await ServerProcess()
        defer { server.stop() }
        let reply = try await HTTP.send(.GET, server.baseURL + "/sessions", headers: ["Origin": "https://tickets.example"])
        #expect(reply.status == 200 && reply.headers.first(name: "Access-Control-Allow-Origin") == nil)
    }
}
