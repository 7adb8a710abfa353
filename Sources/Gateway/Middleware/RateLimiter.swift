import Dispatch
import Synchronization

/// How many requests one user (or one client address, for requests without a valid token) may send.
public struct RateLimit: Sendable, Equatable {
    /// Sustained requests per second; 0 turns the limit off.
    public var perSecond: Double
    /// Requests allowed at once after a quiet spell.
    public var burst: Double

    /// A limit of `perSecond` with a burst of `burst` (default twice the rate, at least 1).
    public init(perSecond: Double, burst: Double? = nil) {
        self.perSecond = perSecond
        self.burst = max(1, burst ?? perSecond * 2)
    }

    /// Generous: far above what a person or the load generator's clients send, low enough that one
    /// runaway client cannot take a core to itself.
    public static let standard = RateLimit(perSecond: 1_000, burst: 2_000)

    /// Whether requests are limited at all.
    public var isEnabled: Bool { perSecond > 0 }
}

/// Token buckets per client key, in bounded memory.
final class RateLimiter<Key: Hashable & Sendable>: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let limit: RateLimit
    /// Most buckets kept; beyond it, refilled buckets are dropped first (they are the same as no bucket).
    let capacity: Int
    private let clock: @Sendable () -> Double
    private let buckets = Mutex<[Key: Bucket]>([:])

    /// `clock` answers monotonic seconds; tests pass their own.
    init(
        limit: RateLimit, capacity: Int = 100_000,
        clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    ) {
        self.limit = limit
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Takes one request from `key`'s bucket: nil when allowed, else whole seconds until the next one is.
    func take(_ key: Key) -> Int? {
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: now)
            bucket.tokens = min(limit.burst, bucket.tokens + max(0, now - bucket.updated) * limit.perSecond)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            if buckets[key] == nil, buckets.count >= capacity { evict(&buckets, now: now) }
            buckets[key] = bucket
            if allowed { return nil }
            return max(1, Int(((1 - bucket.tokens) / limit.perSecond).rounded(.up)))
        }
    }

    /// How many buckets are held (for the bounded-memory test).
    var count: Int { buckets.withLock { $0.count } }

    /// Drops buckets that have refilled; if that frees too little (many clients active at once),
    /// drops arbitrary ones down to half: their clients only get a fresh burst, nobody is refused.
    private func evict(_ buckets: inout [Key: Bucket], now: Double) {
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * limit.perSecond < limit.burst }
        if buckets.count >= capacity {
            buckets = Dictionary(uniqueKeysWithValues: buckets.prefix(capacity / 2).map { ($0.key, $0.value) })
        }
    }
}
