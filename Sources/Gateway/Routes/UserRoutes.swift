import Commands
import EventStore
import Foundation
import Hummingbird
import Projections

/// Registration: open, no token needed; answers the user's token once.
struct UserRoutes: Sendable {
    let intake: CommandIntake
    let accounts: Accounts
    let clock: @Sendable () -> Date

    var routes: [Route] {
        [Route(.post, "/users") { request, context in try await register(request, context) }]
    }

    private func register(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let anonymous = try await CommandRequest.read(&request, context: context, intake: intake, open: true)
        let body = try anonymous.decode(RegisterRequest.self)
        // Registrations have no principal, so one shared scope would let whoever learns a client's key
        // claim it first (with another body) and lock that client out of its own retry. Scoped by the
        // email, a key can only ever replay a registration of that same address. Hashed: bounded, and the
        // address is not copied into another table.
        let command = anonymous.scoped("register:" + Identifiers.sha256(UserDecider.normalizedEmail(body.email)))
        // The remembered registration answers without the token: a plaintext token must never be stored.
        let render = { (user: UserRegistered, position: Int64) in
            try CommandRequest.answer(
                status: .created,
                body: RegisteredBody(
                    id: user.userId, name: user.name, email: user.email, token: nil, position: position), position: position)
        }
        return try await command.idempotent(intake.store, replay: render) {
            let registered = try await accounts.register(
                name: body.name, email: body.email, now: clock(), metadata: command.metadata, idempotency: command.idempotency)
            command.notes.note(userId: registered.user.userId)
            let response = try CommandRequest.answer(
                status: .created,
                body: RegisteredBody(
                    id: registered.user.userId, name: registered.user.name, email: registered.user.email,
                    token: registered.token, position: registered.position), position: registered.position)
            return (response, true)
        }
    }
}
