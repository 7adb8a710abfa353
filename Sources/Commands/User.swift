import Foundation

/// Payload of `UserRegistered`. The token is stored only as its SHA-256 hash.
public struct UserRegistered: Codable, Equatable, Sendable {
    public var userId: String
    public var name: String
    public var email: String
    public var tokenHash: String
    public var registeredAt: Date

    public init(userId: String, name: String, email: String, tokenHash: String, registeredAt: Date) {
        self.userId = userId
        self.name = name
        self.email = email
        self.tokenHash = tokenHash
        self.registeredAt = registeredAt
    }
}

/// Events of a user stream (`user-<id>`).
public enum UserEvent: DomainEvent, Equatable {
    case registered(UserRegistered)

    public static let types: [EventType] = [.userRegistered]

    public var type: EventType {
        switch self {
        case .registered: .userRegistered
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .registered(let payload): try EventJSON.encoder.encode(payload)
        }
    }

    public static func decode(type: String, data: Data) throws -> UserEvent? {
        switch EventType(rawValue: type) {
        case .userRegistered: .registered(try EventJSON.decoder.decode(UserRegistered.self, from: data))
        default: nil
        }
    }
}

/// A user as their stream knows them.
public struct UserState: Codable, Equatable, Sendable {
    public var user: UserRegistered?

    public init(user: UserRegistered? = nil) { self.user = user }
}

/// Commands on a user.
public enum UserCommand: Sendable {
    case register(UserRegistered)
}

/// The user aggregate. Email uniqueness spans users: see `EmailClaimDecider`, whose claim is appended
/// in the same transaction.
public enum UserDecider: Decider {
    public static var initialState: UserState { UserState() }

    public static func evolve(_ state: inout UserState, _ event: UserEvent) {
        switch event {
        case .registered(let registered): state.user = registered
        }
    }

    public static func decide(_ command: UserCommand, _ state: UserState, now: Date) throws(DomainError) -> [UserEvent] {
        switch command {
        case .register(let registration):
            guard state.user == nil else { throw .alreadyExists("user") }
            try LayoutRules.name(registration.name, field: "name")
            guard isPlausibleEmail(registration.email) else { throw .invalid("email is not a valid address") }
            return [.registered(registration)]
        }
    }

    public static func outcome(of command: UserCommand, in state: UserState) -> UserState { state }

    /// Lower-cased, trimmed form used for uniqueness.
    public static func normalizedEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        guard email.count <= 254, !email.contains(where: { $0.isWhitespace }), !LayoutRules.containsControlCharacters(email) else {
            return false
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }
}
