import ArgumentParser
import Gateway
import Hummingbird
import HummingbirdCore
import NIOCore

/// The gateway's protective limits; each flag falls back to its environment variable.
struct LimitOptions: ParsableArguments {
    @Option(
        name: .customLong("rate-limit"),
        help: "Requests per second per user, or per client address without a valid token; 0 disables (env RATE_LIMIT, default 1000).")
    var rateLimit: Double?

    @Option(name: .customLong("rate-limit-burst"), help: "Requests allowed at once (env RATE_LIMIT_BURST, default twice the rate).")
    var rateLimitBurst: Double?

    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds before a connection with no request in progress is closed (env IDLE_TIMEOUT, default 30).")
    var idleTimeout: Double?

    @Option(
        name: .customLong("trusted-proxies"),
        help: "Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For is believed (env TRUSTED_PROXIES, default none).")
    var trustedProxies: String?

    @Option(name: .customLong("cors-origins"), help: "Comma-separated origins allowed by CORS, * for any (env CORS_ORIGINS, default none).")
    var corsOrigins: String?

    func limit() throws -> RateLimit {
        let rate = try rateLimit ?? Environment.number("RATE_LIMIT", Double.self) ?? RateLimit.standard.perSecond
        let burst = try rateLimitBurst ?? Environment.number("RATE_LIMIT_BURST", Double.self)
        guard rate >= 0, rate.isFinite, (burst ?? 1) >= 1 else {
            throw ValidationError("RATE_LIMIT must be >= 0 and RATE_LIMIT_BURST >= 1")
        }
        return RateLimit(perSecond: rate, burst: burst)
    }

    func origins() -> [String] {
        (corsOrigins ?? Environment.value("CORS_ORIGINS") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Without trusted proxies, `X-Forwarded-For` is ignored: any client could write it.
    func proxies() throws -> TrustedProxies {
        do {
            return try TrustedProxies(parsing: trustedProxies ?? Environment.value("TRUSTED_PROXIES") ?? "")
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// HTTP/1.1 with an idle timeout: a connection that sends nothing is closed, so silent clients cannot hold sockets forever.
    func server() throws -> HTTPServerBuilder {
        let seconds = try idleTimeout ?? Environment.number("IDLE_TIMEOUT", Double.self) ?? 30
        guard seconds > 0, seconds.isFinite else { throw ValidationError("IDLE_TIMEOUT must be positive") }
        return .http1(configuration: .init(idleTimeout: .milliseconds(Int64(seconds * 1000))))
    }
}
