/// Stream naming: one place, so every reader and writer agrees.
public enum Streams {
    static let sessionPrefix = "session-"
    static let hallPrefix = "hall-"
    static let userPrefix = "user-"
    static let emailPrefix = "email-"
    static let scannerPrefix = "scanner-"
    static let webhookPrefix = "webhook-"

    /// The stream of a session (seated or GA).
    public static func session(_ id: String) -> String { sessionPrefix + id }
    /// The stream of a hall.
    public static func hall(_ id: String) -> String { hallPrefix + id }
    /// The stream of a user.
    public static func user(_ id: String) -> String { userPrefix + id }
    /// The stream of a door scanner.
    public static func scanner(_ id: String) -> String { scannerPrefix + id }
    /// The stream that claims an email address (its normalised form) for one user.
    public static func email(_ normalized: String) -> String { emailPrefix + normalized }

    /// The stream of a webhook registration.
    public static func webhook(_ id: String) -> String { webhookPrefix + id }
    /// Whether a stream is a webhook registration's (never delivered: it holds the secret).
    public static func isWebhook(_ streamId: String) -> Bool { streamId.hasPrefix(webhookPrefix) }

    /// The session id of a session stream.
    public static func sessionId(ofStream streamId: String) -> String { String(streamId.dropFirst(sessionPrefix.count)) }
    /// The hall id of a hall stream.
    public static func hallId(ofStream streamId: String) -> String { String(streamId.dropFirst(hallPrefix.count)) }
    /// The user id of a user stream.
    public static func userId(ofStream streamId: String) -> String { String(streamId.dropFirst(userPrefix.count)) }

    /// An offer to a waiter is named by the decider, deterministically: its session and its number.
    public static func offerId(session sessionId: String, number: Int) -> String { "\(sessionId)-offer-\(number)" }
}
