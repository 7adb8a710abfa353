import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Projections

/// `GET /sessions/:id/seats/stream`: the session's seat map (compact form), then one message per event
/// that changes it, as server-sent events. Public, like the seat map itself.
struct FeedRoutes: Sendable {
    let reads: Reads

    var routes: [Route] {
        [Route(.get, "/sessions/:id/seats/stream") { request, context in try await stream(request, sessionId: try context.id("id")) }]
    }

    private func stream(_ request: Request, sessionId: String) async throws -> Response {
        var lastEventId: Int64?
        if let header = request.headers[.lastEventId] {
            guard let position = Int64(header), position >= 0 else { throw APIError.invalidRequest("Last-Event-ID must be a log position") }
            lastEventId = position
        }
        let subscription = try await reads.feed.subscribe(sessionId, lastEventId: lastEventId)
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache",
            // nginx and similar proxies would otherwise buffer the stream.
            .xAccelBuffering: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // A client that stops reading blocks this write; meanwhile the feed drops its subscription
                // once its buffer is full, so nothing grows without bound.
                for await message in subscription.messages { try await writer.write(Self.encode(message)) }
                try await writer.finish(nil)
            })
    }

    /// One server-sent event: `id:` the log position, `event:` its kind, the JSON in `data:` (one line).
    static func encode(_ message: FeedMessage) -> ByteBuffer {
        if message.event == "heartbeat" { return ByteBuffer(string: ":\n\n") }
        var buffer = ByteBuffer(string: "id: \(message.id)\nevent: \(message.event)\ndata: ")
        buffer.writeBytes(message.data)
        buffer.writeString("\n\n")
        return buffer
    }
}

extension HTTPField.Name {
    static let lastEventId = Self("Last-Event-ID")!
    static let xAccelBuffering = Self("X-Accel-Buffering")!
}
