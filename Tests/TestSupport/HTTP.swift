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
}
