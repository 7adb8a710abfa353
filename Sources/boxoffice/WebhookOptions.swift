import ArgumentParser
import Webhooks

/// Webhook configuration from the environment, shared by `serve` and `deliver`.
enum WebhookOptions {
    /// `WEBHOOK_ALLOWED_HOSTS`: comma-separated hosts that may be targets even when private or loopback.
    static func allowedHosts() -> [String] {
        (Environment.value("WEBHOOK_ALLOWED_HOSTS") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// `WEBHOOK_ONLY_ALLOWED_HOSTS=1`: the allowed hosts are the only targets, public ones included.
    static func onlyAllowedHosts() -> Bool { ["1", "true", "yes"].contains(Environment.value("WEBHOOK_ONLY_ALLOWED_HOSTS")?.lowercased() ?? "") }

    /// The target rules from the environment.
    static func targets() -> WebhookTargets { WebhookTargets(allowedHosts: allowedHosts(), onlyAllowed: onlyAllowedHosts()) }

    /// `WEBHOOK_MAX_AGE`, `WEBHOOK_TIMEOUT`, `WEBHOOK_RETRY_BASE`, `WEBHOOK_RETRY_MAX` (seconds).
    static func settings() throws -> WebhookSettings {
        let maxAge = try Environment.number("WEBHOOK_MAX_AGE", Double.self) ?? 86_400
        let timeout = try Environment.number("WEBHOOK_TIMEOUT", Double.self) ?? 10
        let base = try Environment.number("WEBHOOK_RETRY_BASE", Double.self) ?? 1
        let cap = try Environment.number("WEBHOOK_RETRY_MAX", Double.self) ?? 300
        guard [maxAge, timeout, base, cap].allSatisfy({ $0 > 0 && $0.isFinite }), base <= cap else {
            throw ValidationError("WEBHOOK_MAX_AGE, WEBHOOK_TIMEOUT, WEBHOOK_RETRY_BASE and WEBHOOK_RETRY_MAX must be positive seconds, base <= max")
        }
        func duration(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1_000)) }
        return WebhookSettings(
            targets: targets(), maxAge: duration(maxAge), timeout: duration(timeout),
            baseBackoff: duration(base), maxBackoff: duration(cap))
    }
}
