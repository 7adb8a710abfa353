import Commands
import EventStore
import Foundation
import Hummingbird
import Webhooks

/// Webhook endpoints and their deliveries (admin token only).
struct WebhookRoutes: Sendable {
    let intake: CommandIntake
    let webhooks: WebhookService
    let clock: @Sendable () -> Date

    var routes: [Route] {
        [
            Route(.post, "/webhooks") { request, context in try await register(request, context) },
            Route(.get, "/webhooks") { request, _ in try await list(request) },
            Route(.get, "/webhooks/:id") { request, context in try await show(request, try context.id("id")) },
            Route(.delete, "/webhooks/:id") { request, context in try await remove(request, context, try context.id("id")) },
            Route(.get, "/webhooks/:id/deliveries") { request, context in try await deliveries(request, try context.id("id")) },
            Route(.post, "/webhooks/:id/deliveries/:position/retry") { request, context in
                try await retry(request, try context.id("id"), try context.id("position"))
            },
        ]
    }

    struct RegisterWebhookRequest: Decodable {
        var url: String
        var events: [String]
        var secret: String?
    }

    /// A webhook as answered: never its secret, except `secret` once in the answer that generated it.
    struct WebhookBody: Encodable {
        var id: String
        var url: String
        var events: [String]
        var createdAt: Date
        var removedAt: Date?
        var secret: String?
        var position: Int64?

        init(_ registration: WebhookRegistered, removedAt: Date? = nil, secret: String? = nil, position: Int64? = nil) {
            id = registration.webhookId
            url = registration.url
            events = registration.events
            createdAt = registration.createdAt
            self.removedAt = removedAt
            self.secret = secret
            self.position = position
        }
    }

    private func register(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        let body = try command.decode(RegisterWebhookRequest.self)
        let events = try webhooks.validate(url: body.url, events: body.events, secret: body.secret)
        // A generated secret is answered once, now; a caller's own is never echoed.
        let generated = body.secret == nil ? "whsec_" + Identifiers.token().dropFirst(3) : nil
        let render = { (registration: WebhookRegistered, position: Int64) in
            try CommandRequest.answer(status: .created, body: WebhookBody(registration, position: position), position: position)
        }
        return try await command.idempotent(intake.store, replay: render) {
            let registration = WebhookRegistered(
                webhookId: Identifiers.make("whk"), url: body.url, events: events, secret: body.secret ?? generated!, createdAt: clock())
            let position = try await webhooks.register(registration, metadata: command.metadata, idempotency: command.idempotency)
            let answer = try CommandRequest.answer(
                status: .created, body: WebhookBody(registration, secret: generated, position: position), position: position)
            return (answer, true)
        }
    }

    private func list(_ request: Request) async throws -> Response {
        try await intake.auth.requireAdmin(request)
        let all = try await webhooks.webhooks()
        return JSONResponse.make(status: .ok, body: QueryRoutes.List(items: all.map { WebhookBody($0) }, nextCursor: nil))
    }

    private func show(_ request: Request, _ id: String) async throws -> Response {
        try await intake.auth.requireAdmin(request)
        guard let found = try await webhooks.webhook(id) else { throw APIError.notFound("webhook") }
        return JSONResponse.make(status: .ok, body: WebhookBody(found.registration, removedAt: found.removedAt))
    }

    private func remove(_ request: Request, _ context: AppRequestContext, _ id: String) async throws -> Response {
        var request = request
        try await intake.auth.requireAdmin(request)
        let command = try await CommandRequest.read(&request, context: context, intake: intake)
        guard let position = try await webhooks.remove(id, now: clock(), metadata: command.metadata) else {
            throw APIError.notFound("webhook")
        }
        return Response(status: .noContent, headers: [.xPosition: String(position)])
    }

    private func deliveries(_ request: Request, _ id: String) async throws -> Response {
        try await intake.auth.requireAdmin(request)
        let (limit, cursor) = try Paging.parse(request)
        let after = try cursor.map { text -> Int64 in
            guard let position = Int64(text), position >= 0 else { throw APIError.invalidRequest("cursor is not one this API returned") }
            return position
        }
        let status = try request.uri.queryParameters["status"].map { raw -> DeliveryStatus in
            guard let status = DeliveryStatus(rawValue: String(raw).lowercased()) else {
                throw APIError.invalidRequest("status must be pending, delivered or failed")
            }
            return status
        }
        guard try await webhooks.webhook(id) != nil else { throw APIError.notFound("webhook") }
        let page = try await webhooks.deliveryQueue().deliveries(of: id, status: status, after: after, limit: limit)
        let next = page.count == limit ? page.last.map { String($0.position) } : nil
        return JSONResponse.make(status: .ok, body: QueryRoutes.List(items: page, nextCursor: next))
    }

    private func retry(_ request: Request, _ id: String, _ position: String) async throws -> Response {
        try await intake.auth.requireAdmin(request)
        guard let position = Int64(position), position > 0 else { throw APIError.notFound("delivery") }
        switch try await webhooks.deliveryQueue().retry(webhookId: id, position: position) {
        case .requeued(let delivery): return JSONResponse.make(status: .ok, body: delivery)
        case .notFound: throw APIError.notFound("delivery")
        case .alreadyPending: throw APIError.deliveryPending
        }
    }
}
