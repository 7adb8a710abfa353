import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A JSON answer from the server under test.
public struct Reply: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    /// The body as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array (empty when it is not one).
    public var array: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? []
    }

    /// `error.code` of an error body.
    public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public init(status: Int, headers: HTTPHeaders, body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// HTTP for end-to-end tests: one shared client with room for many parallel connections.
public enum HTTP {
    /// Idle connections are dropped well before the servers' idle timeout (30 s) would close them:
    /// reusing one the server is closing fails with "I/O on closed channel".
    public static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(connectionPool: .init(idleTimeout: .seconds(10), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)))

    public static func send(
        _ method: HTTPMethod, _ url: String, token: String? = nil, json: Any? = nil,
        raw: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body = try raw ?? json.map({ try JSONSerialization.data(withJSONObject: $0) }) {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// A read-model query (`url` carries `minPosition=position`) answered once it reflects `position`. The
    /// server waits a bounded time (2 s) and then answers with what is applied, saying so in
    /// `X-Read-Model-Position`; on a machine busy with the whole suite a projector can be further behind,
    /// so the query is asked again. The caller still checks the answer: a document that was never written
    /// is missing however long this waits.
    public static func reflecting(_ url: String, position: Int, token: String? = nil) async throws -> Reply {
        let until = ContinuousClock.now + .seconds(60)
        while true {
            let reply = try await send(.GET, url, token: token)
            let reflected = Int(reply.headers.first(name: "X-Read-Model-Position") ?? "") ?? 0
            if reply.status != 200 || reflected >= position || ContinuousClock.now >= until { return reply }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
