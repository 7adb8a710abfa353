import Commands
import EventStore
import Foundation
import Synchronization

/// Registers users and resolves bearer tokens, straight from the event log so a token works the
/// moment its registration is acknowledged.
final class Accounts<Store: EventStore>: Sendable {
    let store: Store
    private let tokenCache = Mutex<[String: String]>([:])

    init(store: Store) {
        self.store = store
    }

    /// Appends the user's stream and a claim on the email's stream in one transaction; the claim
    /// (expected: no stream) is what makes emails unique across concurrent registrations.
    func register(
        name: String, email: String, now: Date, metadata: EventMetadata,
        idempotency: (key: IdempotencyKey, render: @Sendable (UserRegistered, Int64) throws -> StoredResponse)?
    ) async throws -> (user: UserRegistered, token: String, position: Int64) {
        let token = Identifiers.token()
        let registration = UserRegistered(
            userId: Identifiers.make("usr"), name: name, email: email.trimmingCharacters(in: .whitespacesAndNewlines),
            tokenHash: Identifiers.sha256(token), registeredAt: now)
        var metadata = metadata
        metadata.userId = registration.userId
        let events = try UserDecider.decide(.register(registration), UserDecider.initialState, now: now)
        let claim = try JSONEncoder().encode(["userId": registration.userId])
        let writes = [
            StreamWrite(streamId: Streams.user(registration.userId), expected: .noStream,
                        events: try events.map { NewEvent(type: $0.typeName, data: try $0.encodedData(), metadata: metadata) }),
            StreamWrite(streamId: Streams.email(UserDecider.normalizedEmail(email)), expected: .noStream,
                        events: [NewEvent(type: "EmailClaimed", data: claim, metadata: metadata)]),
        ]
        let keys = idempotency.map { request in
            [IdempotencyWrite(key: request.key, lastEventIndex: 0) { try request.render(registration, $0) }]
        } ?? []
        do {
            let result = try await store.append(writes, idempotency: keys)
            tokenCache.withLock { $0[registration.tokenHash] = registration.userId }
            return (registration, token, result.positions[0])
        } catch EventStoreError.wrongExpectedVersion {
            throw DomainError.emailTaken
        }
    }

    /// The user a bearer token belongs to, or nil.
    func userId(forToken token: String) async throws -> String? {
        let hash = Identifiers.sha256(token)
        if let cached = tokenCache.withLock({ $0[hash] }) { return cached }
        guard let event = try await store.lookup(.tokenHash, hash),
              case .registered(let user)? = try UserEvent.decode(type: event.type, data: event.data)
        else { return nil }
        tokenCache.withLock { $0[hash] = user.userId }
        return user.userId
    }
}

/// Finds the session stream a booking lives in.
final class BookingLocator<Store: EventStore>: Sendable {
    let store: Store
    private let cache = Mutex<[String: String]>([:])

    init(store: Store) {
        self.store = store
    }

    func remember(bookingId: String, sessionId: String) {
        cache.withLock { $0[bookingId] = sessionId }
    }

    /// The session id of a booking; throws not found for an unknown booking.
    func sessionId(of bookingId: String) async throws -> String {
        if let cached = cache.withLock({ $0[bookingId] }) { return cached }
        guard Identifiers.isSane(bookingId), let event = try await store.lookup(.bookingId, bookingId) else {
            throw DomainError.notFound("booking")
        }
        let sessionId = Streams.sessionId(ofStream: event.streamId)
        remember(bookingId: bookingId, sessionId: sessionId)
        return sessionId
    }
}
