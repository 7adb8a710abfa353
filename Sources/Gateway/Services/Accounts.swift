import Commands
import EventStore
import Foundation
import Synchronization

/// Registers users and resolves bearer tokens, straight from the event log so a token works the
/// moment its registration is acknowledged.
///
/// Both caches are bounded (registration is open, so anyone can grow them), and unknown tokens are
/// remembered briefly so that a client repeating a bad token does not cost a database look-up each time.
final class Accounts: Sendable {
    let store: any EventStore
    private let tokenCache: Mutex<LRUCache<TokenDigest, TokenOwner>>
    /// Token hashes the log did not know, with when that answer stops counting.
    private let unknownTokens: Mutex<LRUCache<TokenDigest, ContinuousClock.Instant>>
    /// How long an unknown token is answered from memory. Safe to cache: a token only exists once its
    /// registration committed, and the registering gateway caches it positively at once.
    let unknownTokenTTL: Duration

    init(store: any EventStore, cacheCapacity: Int = GatewaySettings.defaultCacheCapacity, unknownTokenTTL: Duration = .seconds(10)) {
        self.store = store
        self.tokenCache = Mutex(LRUCache(capacity: cacheCapacity))
        self.unknownTokens = Mutex(LRUCache(capacity: max(1, cacheCapacity / 10)))
        self.unknownTokenTTL = unknownTokenTTL
    }

    /// What memory alone says about a token, without asking the database.
    enum Known: Equatable {
        case owner(TokenOwner)
        /// Looked up recently and not found.
        case invalid
        /// Not in memory: only the database can tell.
        case unknown
    }

    /// What memory alone says about `token` (for the rate limiter, which must not cause look-ups).
    func known(_ hash: TokenDigest) -> Known {
        if let owner = tokenCache.withLock({ $0.get(hash) }) { return .owner(owner) }
        return isRecentlyUnknown(hash) ? .invalid : .unknown
    }

    /// Entries held by the token caches (known users, recently unknown tokens), for the bounds test.
    var cachedTokens: (users: Int, unknown: Int) {
        (tokenCache.withLock { $0.count }, unknownTokens.withLock { $0.count })
    }

    private func isRecentlyUnknown(_ hash: TokenDigest) -> Bool {
        unknownTokens.withLock { cache in
            guard let until = cache.get(hash) else { return false }
            if until > .now { return true }
            cache.remove(hash)
            return false
        }
    }

    /// Registers through two deciders, the user's and the email claim's, whose events are appended in one
    /// transaction; the claim (expected: no stream) is what makes emails unique across concurrent
    /// registrations. The idempotency key remembers the registration (never the plaintext token).
    func register(
        name: String, email: String, now: Date, metadata: EventMetadata, idempotency: IdempotencyRequest?
    ) async throws -> (user: UserRegistered, token: String, position: Int64) {
        let token = Identifiers.token()
        let digest = TokenDigest(token)
        let registration = UserRegistered(
            userId: Identifiers.make("usr"), name: name, email: email.trimmingCharacters(in: .whitespacesAndNewlines),
            tokenHash: digest.hex, registeredAt: now)
        var metadata = metadata
        metadata.userId = registration.userId
        let user = try UserDecider.decide(.register(registration), UserDecider.initialState, now: now)
        let claim = try EmailClaimDecider.decide(.claim(userId: registration.userId), EmailClaimDecider.initialState, now: now)
        func stored(_ events: [some DomainEvent]) throws -> [NewEvent] {
            try events.map { NewEvent(type: $0.typeName, data: try $0.encodedData(), metadata: metadata) }
        }
        let writes = [
            StreamWrite(streamId: Streams.user(registration.userId), expected: .noStream, events: try stored(user)),
            StreamWrite(streamId: Streams.email(UserDecider.normalizedEmail(email)), expected: .noStream, events: try stored(claim)),
        ]
        let keys =
            try idempotency.map { request in
                [
                    IdempotencyWrite(
                        key: request.key, lastEventIndex: 0, outcome: try EventJSON.encoder.encode(registration),
                        requestHash: request.requestHash)
                ]
            } ?? []
        do {
            let result = try await store.append(writes, idempotency: keys)
            tokenCache.withLock { $0.set(digest, .user(registration.userId)) }
            unknownTokens.withLock { $0.remove(digest) }
            return (registration, token, result.positions[0])
        } catch EventStoreError.wrongExpectedVersion {
            throw DomainError.emailTaken
        }
    }

    /// Makes a door scanner's token: it can check tickets in and nothing else (ADR 0020).
    func createScanner(name: String, sessionId: String?, now: Date, metadata: EventMetadata) async throws -> (ScannerCreated, token: String) {
        let token = Identifiers.token()
        let digest = TokenDigest(token)
        let scanner = ScannerCreated(
            scannerId: Identifiers.make("scn"), name: name, sessionId: sessionId, tokenHash: digest.hex, createdAt: now)
        let event = ScannerEvent.created(scanner)
        let write = StreamWrite(
            streamId: Streams.scanner(scanner.scannerId), expected: .noStream,
            events: [NewEvent(type: event.typeName, data: try event.encodedData(), metadata: metadata)])
        _ = try await store.append([write], idempotency: [])
        tokenCache.withLock { $0.set(digest, .scanner(Scanner(scanner))) }
        unknownTokens.withLock { $0.remove(digest) }
        return (scanner, token)
    }

    /// Whose bearer token this is (a user or a door scanner), or nil.
    func owner(of hash: TokenDigest) async throws -> TokenOwner? {
        if let cached = tokenCache.withLock({ $0.get(hash) }) { return cached }
        if isRecentlyUnknown(hash) { return nil }
        let owner: TokenOwner? =
            switch try await store.lookup(.tokenHash, hash.hex) {
            case let event? where event.type == EventType.scannerCreated.rawValue:
                try ScannerEvent.decode(type: event.type, data: event.data).map { event in
                    switch event {
                    case .created(let scanner): .scanner(Scanner(scanner))
                    }
                }
            case let event?:
                try UserEvent.decode(type: event.type, data: event.data).map { event in
                    switch event {
                    case .registered(let user): .user(user.userId)
                    }
                }
            case nil: nil
            }
        guard let owner else {
            let until = ContinuousClock.now + unknownTokenTTL
            unknownTokens.withLock { $0.set(hash, until) }
            return nil
        }
        tokenCache.withLock { $0.set(hash, owner) }
        return owner
    }
}

/// Who holds a token that is not the admin's.
enum TokenOwner: Equatable, Sendable {
    case user(String)
    case scanner(Scanner)
}

/// A door scanner as a request sees it.
struct Scanner: Equatable, Sendable {
    var id: String
    var name: String
    /// The only session it admits to (nil: any).
    var sessionId: String?

    init(_ created: ScannerCreated) {
        id = created.scannerId
        name = created.name
        sessionId = created.sessionId
    }
}
