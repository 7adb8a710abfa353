import EventStore

/// What every command route shares: who is asking (`auth`), what its events are stamped with, and
/// where a repeated request's outcome is found.
struct CommandIntake: Sendable {
    let auth: Authenticator
    let gatewayId: String
    let store: any EventStore
}
