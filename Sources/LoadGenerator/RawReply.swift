import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An answer as bytes: the load generator's hot path decodes only the fields it needs.
struct RawReply: Sendable {
    var status: Int
    var body: ByteBuffer

    var text: String { String(buffer: body) }

    /// The `error.code` of an error answer.
    var errorCode: String? {
        struct Envelope: Decodable {
            struct Inner: Decodable { var code: String }
            var error: Inner
        }
        return try? decode(Envelope.self).error.code
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }
}

extension APIClient {
    /// Sends `body` (already JSON) and returns the status and bytes; transport failures are thrown.
    /// A command carries a fresh `Idempotency-Key`, as every client should (README, Idempotency).
    func raw(_ method: HTTPMethod, _ path: String, token: String?, json body: String? = nil) async throws -> RawReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Idempotency-Key", value: UUID().uuidString)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        return RawReply(status: Int(response.status.code), body: try await response.body.collect(upTo: 64 * 1024 * 1024))
    }

    /// Registers `count` users (a few at a time) and returns their tokens: every load client acts as
    /// its own user, so a per-token rate limit sees each client separately.
    func registerUsers(_ count: Int, tag: String) async throws -> [String] {
        try await inParallel(count, width: 16) { index in
            let reply = try await expect(
                201, .POST, "/users", token: nil,
                body: [
                    "name": "Load \(index)", "email": "load-\(tag)-\(index)@load.test",
                ])
            guard let token = reply.json["token"] as? String else { throw Failure(description: "no token for user \(index)") }
            return token
        }
    }
}

/// Runs `body(0..<count)` with at most `width` in flight, results in index order.
func inParallel<T: Sendable>(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
    try await withThrowingTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { (index, try await body(index)) }
            next += 1
        }
        while let (index, value) = try await group.next() {
            results[index] = value
            if next < count {
                let index = next
                group.addTask { (index, try await body(index)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
