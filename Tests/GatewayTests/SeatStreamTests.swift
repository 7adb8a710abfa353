import AsyncHTTPClient
import Foundation
import NIOHTTP1
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 17, item 1 end to end: `GET /sessions/:id/seats/stream` from a real `boxoffice serve --with-workers`.
@Suite("Live seat maps over SSE (end to end)", .serialized)
struct SeatStreamTests {
    @Test func subscribersSeeEveryChangeAndAReconnectWithLastEventIdLosesNothing() async throws {
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["SSE_HEARTBEAT_SECONDS": "1"],
            databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 2, seatsPerRow: 10)
        let buyer = try await scenario.user("Ada")
        let url = "\(base)/sessions/\(session)/seats/stream"

        let watcher = try await EventStreamConnection.open(url)
        defer { watcher.close() }
        #expect(watcher.status == 200 && watcher.headers.first(name: "Content-Type") == "text/event-stream")
        let map = try #require(await watcher.events(atLeast: 1).first)
        #expect(map.event == "map" && (map.json["rows"] as? [[String: Any]])?.map { $0["seats"] as? String } == ["AAAAAAAAAA", "AAAAAAAAAA"])
        let other = try await EventStreamConnection.open(url)
        #expect(await other.events(atLeast: 1).first?.event == "map")

        func change(_ method: HTTPMethod, _ path: String, _ token: String, _ json: [String: Any]? = nil) async throws -> Int64 {
            let reply = try await HTTP.send(method, base + path, token: token, json: json)
            #expect((200..<300).contains(reply.status), "\(path): \(reply.text)")
            return Int64(try #require(reply.json["position"] as? Int))
        }
        let held = try await HTTP.send(.POST, "\(base)/sessions/\(session)/seats/reserve", token: buyer.token, json: ["seats": ["A1", "A2"]])
        let booking = try #require(held.json["id"] as? String)
        let first = Int64(try #require(held.json["position"] as? Int))
        let blocked = try await change(.POST, "/sessions/\(session)/blocks", server.adminToken, ["seats": ["B1"], "reason": "press"])
        #expect(await other.wait { $0.events.last?.id == blocked })
        let seen = other.events
        #expect(seen.map(\.id) == [map.id, first, blocked] && seen.dropFirst().allSatisfy { $0.event == "seats" })
        let placed = seen[1].json["seats"] as? [[String: Any]]
        #expect(placed?.map { $0["id"] as? String } == ["A1", "A2"] && placed?.allSatisfy { $0["status"] as? String == "HELD" } == true)
        #expect((seen[2].json["seats"] as? [[String: Any]])?.first?["status"] as? String == "BLOCKED")
        #expect((seen[2].json["summary"] as? [String: Any])?["blocked"] as? Int == 1)
        other.close()

        // While it is away: a confirmation (with its tickets), a cancellation (voiding them) and another hold.
        _ = try await change(.POST, "/bookings/\(booking)/confirm", buyer.token)
        _ = try await change(.POST, "/bookings/\(booking)/cancel", buyer.token)
        let last = try await change(.POST, "/sessions/\(session)/seats/reserve", buyer.token, ["seats": ["A5"]])
        let away = try await scenario.history(session).filter { ($0["position"] as? Int).map { Int64($0) > blocked } ?? false }
        let missed = away.compactMap { ($0["position"] as? Int).map(Int64.init) }
        func position(of type: String) -> Int64? { away.first { $0["type"] as? String == type }.flatMap { ($0["position"] as? Int).map(Int64.init) } }
        let back = try await EventStreamConnection.open(url, lastEventId: blocked)
        defer { back.close() }
        #expect(await back.wait { $0.events.last?.id == last })
        #expect(back.events.map(\.id) == missed && back.events.allSatisfy { $0.event == "seats" }, "\(back.events.map(\.event))")
        func seatStatus(at position: Int64?) -> String? {
            (back.events.first { $0.id == position }?.json["seats"] as? [[String: Any]])?.first?["status"] as? String
        }
        #expect(seatStatus(at: position(of: "BookingConfirmed")) == "BOOKED")
        #expect(seatStatus(at: position(of: "BookingCancelled")) == "AVAILABLE")

        // Checked against the log: every event after scheduling, once and in order, each one's position as id.
        let history = try await scenario.history(session)
        let logged = history.dropFirst().compactMap { ($0["position"] as? Int).map(Int64.init) }
        #expect(await watcher.wait { $0.events.last?.id == logged.last })
        #expect(watcher.events.dropFirst().map(\.id) == logged)
        #expect(await watcher.wait { $0.heartbeats >= 1 }, "a heartbeat within the interval")

        // Too old a position, or a session this server has not kept: the whole map again.
        let stale = try await EventStreamConnection.open(url, lastEventId: 1)
        defer { stale.close() }
        let fresh = await stale.events(atLeast: 1).first
        #expect(fresh?.event == "map" && fresh?.id == logged.last)
        #expect((fresh?.json["rows"] as? [[String: Any]])?.map { $0["seats"] as? String } == ["AAAAHAAAAA", "XAAAAAAAAA"])

        // The closed one is noticed at the next write to it (a heartbeat at the latest).
        var subscribers = ""
        let until = ContinuousClock.now + .seconds(20)
        repeat {
            let metrics = try await HTTP.send(.GET, base + "/metrics")
            subscribers = metrics.text.split(separator: "\n").first { $0.hasPrefix("boxoffice_seat_stream_subscribers ") }.map(String.init) ?? ""
            if subscribers.hasSuffix(" 3") { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < until
        #expect(subscribers == "boxoffice_seat_stream_subscribers 3", "the watcher, the reconnect and the stale one")
        #expect(try await HTTP.send(.GET, url, headers: ["Last-Event-ID": "soon"]).status == 400)
        #expect(try await HTTP.send(.GET, "\(base)/sessions/nosuch/seats/stream").status == 404)
    }

    /// 1,000 idle subscribers on one session of one process: the memory they cost is measured (the
    /// server's resident set before and after) and bounded, and one booking reaches all of them.
    @Test func aThousandIdleSubscribersCostABoundedAmountOfMemory() async throws {
        let wanted = 1_000
        let available = Self.raiseOpenFileLimit(to: 3 * wanted)
        let count = min(wanted, max(100, (available - 300) / 2))
        if count < wanted { print("SeatStreamTests: the open-file limit (\(available)) allows \(count) subscribers, not \(wanted)") }
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        defer { server.stop() }
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 20, seatsPerRow: 50)
        let buyer = try await scenario.user("Ada")
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: count + 10)))
        let url = "\(server.baseURL)/sessions/\(session)/seats/stream"
        // One subscriber first, so the session's map is in memory before the baseline is read.
        let first = try await EventStreamConnection.open(url, client: client)
        _ = await first.events(atLeast: 1)
        let before = try Self.residentKiB(server.pid)
        var connections = [first]
        for _ in 1..<count { connections.append(try await EventStreamConnection.open(url, client: client)) }
        for connection in connections { _ = await connection.events(atLeast: 1) }
        let after = try Self.residentKiB(server.pid)
        let perSubscriber = Double(after - before) / Double(count - 1)
        print(
            "SeatStreamTests: \(count) idle subscribers; server RSS \(before) KiB → \(after) KiB, \(String(format: "%.1f", perSubscriber)) KiB each")
        #expect(connections.allSatisfy { $0.status == 200 && $0.events.first?.event == "map" })
        let metrics = try await HTTP.send(.GET, server.baseURL + "/metrics")
        #expect(metrics.text.contains("boxoffice_seat_stream_subscribers \(count)\n"))
        // Each subscriber is a buffer of messages and a connection, not a copy of the map.
        #expect(perSubscriber < 128, "\(perSubscriber) KiB per idle subscriber")

        let held = try await HTTP.send(
            .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: buyer.token, json: ["seats": ["A1"]])
        let position = Int64(try #require(held.json["position"] as? Int))
        for connection in connections { _ = await connection.wait { $0.events.last?.id == position } }
        #expect(connections.filter { $0.events.last?.id == position }.count == count, "one booking reaches every subscriber")
        for connection in connections { connection.close() }
        try await client.shutdown()
    }

    /// Raises this process's soft limit on open files (children inherit it) towards `wanted`; answers it.
    static func raiseOpenFileLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }

    static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }
}
