/// How the delivery worker delivers: targets, per-request time-out, back-off and when to give up.
public struct WebhookSettings: Sendable {
    /// Where deliveries may go (`WEBHOOK_ALLOWED_HOSTS`).
    public var targets: WebhookTargets
    /// A delivery still failing this long after it was enqueued (or retried by the admin) is marked failed
    /// (`WEBHOOK_MAX_AGE`).
    public var maxAge: Duration
    /// Longest one request may take (`WEBHOOK_TIMEOUT`).
    public var timeout: Duration
    /// First back-off; it doubles with each failed attempt, up to `maxBackoff` (`WEBHOOK_RETRY_BASE`, `WEBHOOK_RETRY_MAX`).
    public var baseBackoff: Duration
    public var maxBackoff: Duration
    /// How often the worker reads the log when no append woke it.
    public var pollInterval: Duration = .milliseconds(250)

    public init(
        targets: WebhookTargets, maxAge: Duration = .seconds(86_400), timeout: Duration = .seconds(10),
        baseBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(300)
    ) {
        self.targets = targets
        self.maxAge = maxAge
        self.timeout = timeout
        self.baseBackoff = baseBackoff
        self.maxBackoff = maxBackoff
    }

    /// The wait before the next attempt after `attempts` failed ones: exponential, capped, with jitter
    /// (a random point in the upper half) so endpoints that failed together do not retry together.
    public func backoff(afterAttempts attempts: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = Double(min(max(attempts - 1, 0), 30))
        let full = min(baseBackoff.seconds * pow2(exponent), maxBackoff.seconds)
        return .milliseconds(Int64(full * (0.5 + 0.5 * random) * 1_000))
    }

    private func pow2(_ exponent: Double) -> Double { Double(1 << Int(exponent)) }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
