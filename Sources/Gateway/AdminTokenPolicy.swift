/// What an admin token must be before a gateway starts with it: the admin token opens every route, so a
/// guessable one (short, or copied from the README) is refused at start-up rather than found out later.
public enum AdminTokenPolicy {
    /// Fewest characters; a random token of this length from a 16-letter alphabet is 64 bits.
    public static let minimumLength = 16
    /// Longest: the `Authorization` header the gateway accepts is bounded.
    public static let maximumLength = 256
    /// The README's example value, refused because people copy examples verbatim.
    public static let exampleValue = "change-me"

    /// Why `token` is refused, or nil when it may be used.
    public static func problem(with token: String) -> String? {
        if token == exampleValue {
            return "ADMIN_TOKEN is the README's example value; choose a random one (e.g. openssl rand -hex 24)"
        }
        guard token.count >= minimumLength else {
            return "ADMIN_TOKEN must be at least \(minimumLength) characters (it has \(token.count)); e.g. openssl rand -hex 24"
        }
        guard token.utf8.count <= maximumLength, token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "ADMIN_TOKEN must be at most \(maximumLength) printable ASCII characters without spaces"
        }
        return nil
    }
}
