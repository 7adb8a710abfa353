import Commands
import EventStore
import Projections
import Foundation
import Hummingbird

/// Registration: open, no token needed; answers the user's token once.
struct UserRoutes: Sendable {
    let backend: Backend

    var routes: [Route] {
        [Route(.post, "/users") { request, context in try await register(request, context) }]
    }

    private func register(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let anonymous = try await CommandRequest.read(&request, context: context, backend: backend, open: true)
        let body = try anonymous.decode(RegisterRequest.self)
        // Registrations have no principal, so one shared scope would let whoever learns a client's key
        // claim it first (with another body) and lock that client out of its own retry. Scoped by the
        // email, a key can only ever replay a registration of that same address. Hashed: bounded, and the
        // address is not copied into another table.
        let command = anonymous.scoped("register:" + Identifiers.sha256(UserDecider.normalizedEmail(body.email)))
        return try await command.idempotent(backend) {
            // The remembered response leaves the token out: a plaintext token must never be stored.
            let render: @Sendable (UserRegistered, Int64) throws -> StoredResponse = { user, position in
                try command.stored(status: .created, body: RegisteredBody(
                    id: user.userId, name: user.name, email: user.email, token: nil, position: position), position: position)
            }
            let registered = try await backend.accounts.register(
                name: body.name, email: body.email, now: backend.clock(), metadata: command.metadata,
                idempotency: command.key.map { ($0, render) })
            command.notes.note(userId: registered.user.userId)
            var response = try render(registered.user, registered.position)
            response.body = try JSONResponse.encode(RegisteredBody(
                id: registered.user.userId, name: registered.user.name, email: registered.user.email,
                token: registered.token, position: registered.position))
            return response
        }
    }
}
