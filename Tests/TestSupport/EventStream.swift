import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// One server-sent event as a client sees it.
public struct ServerSentEvent: Sendable {
    public var id: Int64?
    public var event: String
    public var data: String

    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
    }
}

/// A `text/event-stream` response being read: its events are collected as they arrive, until `close()`
/// (which cancels the request and so closes the connection) or the server ends the stream.
public final class EventStreamConnection: Sendable {
    private struct Received {
        var events: [ServerSentEvent] = []
        var heartbeats = 0
        var ended = false
    }

    public let status: Int
    public let headers: HTTPHeaders
    private let received = Mutex(Received())
    private let reader = Mutex<Task<Void, Never>?>(nil)

    private init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }

    /// Opens the stream; the answer's status is in `status` (a refusal's body is not read).
    public static func open(
        _ url: String, lastEventId: Int64? = nil, headers: [String: String] = [:], client: HTTPClient = HTTP.client
    ) async throws -> EventStreamConnection {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/event-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: String(lastEventId)) }
        let response = try await client.execute(request, timeout: .seconds(900))
        let connection = EventStreamConnection(status: Int(response.status.code), headers: response.headers)
        let task = Task {
            var pending = ""
            do {
                for try await chunk in response.body {
                    pending += String(buffer: chunk)
                    while let end = pending.range(of: "\n\n") {
                        connection.parse(String(pending[..<end.lowerBound]))
                        pending.removeSubrange(..<end.upperBound)
                    }
                }
            } catch {}
            connection.received.withLock { $0.ended = true }
        }
        connection.reader.withLock { $0 = task }
        return connection
    }

    private func parse(_ block: String) {
        var event = ServerSentEvent(id: nil, event: "message", data: "")
        var comment = false
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                comment = true
            } else if line.hasPrefix("id: ") {
                event.id = Int64(line.dropFirst(4))
            } else if line.hasPrefix("event: ") {
                event.event = String(line.dropFirst(7))
            } else if line.hasPrefix("data: ") {
                event.data += String(line.dropFirst(6))
            }
        }
        received.withLock { received in
            if comment && event.data.isEmpty { received.heartbeats += 1 } else { received.events.append(event) }
        }
    }

    public var events: [ServerSentEvent] { received.withLock { $0.events } }
    public var heartbeats: Int { received.withLock { $0.heartbeats } }
    public var ended: Bool { received.withLock { $0.ended } }

    /// The events once at least `count` have arrived, or what arrived within `limit`.
    public func events(atLeast count: Int, within limit: Duration = .seconds(20)) async -> [ServerSentEvent] {
        let until = ContinuousClock.now + limit
        while events.count < count, !ended, ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(20)) }
        return events
    }

    /// Waits until `condition` holds for what has arrived, at most `limit`; answers whether it did.
    public func wait(within limit: Duration = .seconds(20), until condition: (EventStreamConnection) -> Bool) async -> Bool {
        let until = ContinuousClock.now + limit
        while !condition(self), ContinuousClock.now < until { try? await Task.sleep(for: .milliseconds(20)) }
        return condition(self)
    }

    public func close() {
        reader.withLock { $0?.cancel() }
    }
}
