import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small JSON client of the Boxoffice HTTP API, for the load generator.
struct APIClient: Sendable {
    struct Reply: Sendable {
        var status: Int
        var json: [String: any Sendable]
        var array: [any Sendable]
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let http: HTTPClient
    let baseURL: String

    func send(_ method: HTTPMethod, _ path: String, token: String?, body: [String: Any]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let parsed = bytes.readableBytes > 0 ? try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) : nil
        return Reply(
            status: Int(response.status.code),
            json: (parsed as? [String: Any]).map(Self.sendable) ?? [:],
            array: (parsed as? [Any]).map { $0.map { Self.sendableValue($0) } } ?? [])
    }

    /// Sends and requires the expected status.
    func expect(_ status: Int, _ method: HTTPMethod, _ path: String, token: String?, body: [String: Any]? = nil) async throws -> Reply {
        let reply = try await send(method, path, token: token, body: body)
        guard reply.status == status else {
            throw Failure(description: "\(method) \(path) answered \(reply.status), expected \(status): \(reply.json)")
        }
        return reply
    }

    private static func sendable(_ object: [String: Any]) -> [String: any Sendable] {
        object.mapValues(sendableValue)
    }

    private static func sendableValue(_ value: Any) -> any Sendable {
        switch value {
        case let object as [String: Any]: sendable(object)
        case let array as [Any]: array.map(sendableValue)
        case let string as String: string
        case let number as NSNumber: number.doubleValue
        default: String(describing: value)
        }
    }
}
