import Foundation

/// Payload of `EmailClaimed`: the user a normalised email address belongs to.
public struct EmailClaimed: Codable, Equatable, Sendable {
    public var userId: String

    public init(userId: String) { self.userId = userId }
}

/// Events of an email claim stream (`email-<normalised address>`).
public enum EmailEvent: DomainEvent, Equatable {
    case claimed(EmailClaimed)

    public static let types: [EventType] = [.emailClaimed]

    public var type: EventType {
        switch self {
        case .claimed: .emailClaimed
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .claimed(let payload): try EventJSON.encoder.encode(payload)
        }
    }

    public static func decode(type: String, data: Data) throws -> EmailEvent? {
        switch EventType(rawValue: type) {
        case .emailClaimed: .claimed(try EventJSON.decoder.decode(EmailClaimed.self, from: data))
        default: nil
        }
    }
}

/// Who holds an email address; nil while it is free.
public struct EmailClaimState: Codable, Equatable, Sendable {
    public var userId: String?

    public init(userId: String? = nil) { self.userId = userId }
}

/// Commands on an email claim.
public enum EmailClaimCommand: Sendable {
    case claim(userId: String)
}

/// Email uniqueness across users: registering appends the user's stream and this claim in one
/// transaction, each expecting no stream, so of two registrations of one address only one commits.
public enum EmailClaimDecider: Decider {
    public static var initialState: EmailClaimState { EmailClaimState() }

    public static func evolve(_ state: inout EmailClaimState, _ event: EmailEvent) {
        switch event {
        case .claimed(let claimed): state.userId = claimed.userId
        }
    }

    public static func decide(_ command: EmailClaimCommand, _ state: EmailClaimState, now: Date) throws(DomainError) -> [EmailEvent] {
        switch command {
        case .claim(let userId):
            guard state.userId == nil else { throw .emailTaken }
            return [.claimed(EmailClaimed(userId: userId))]
        }
    }

    public static func outcome(of command: EmailClaimCommand, in state: EmailClaimState) -> EmailClaimState { state }
}
