import Synchronization
import Testing

@testable import Gateway

@Suite("Rate limiter")
struct RateLimiterTests {
    final class ManualClock: Sendable {
        private let seconds = Mutex(1_000.0)
        func read() -> Double { seconds.withLock { $0 } }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    @Test func aBurstThenTheSustainedRateThenRetryAfter() {
        let clock = ManualClock()
        let limiter = RateLimiter<String>(limit: RateLimit(perSecond: 2, burst: 5), clock: { clock.read() })
        for _ in 0..<5 { #expect(limiter.take("a") == nil) }
        #expect(limiter.take("a") == 1, "empty bucket: retry in a second (2 per second)")
        #expect(limiter.take("b") == nil, "another token has its own bucket")
        clock.advance(0.5)
        #expect(limiter.take("a") == nil, "half a second refills one request")
        #expect(limiter.take("a") != nil)
        clock.advance(100)
        for _ in 0..<5 { #expect(limiter.take("a") == nil) }
        #expect(limiter.take("a") != nil, "a long pause refills only up to the burst")
    }

    @Test func slowRatesAskForLongerWaits() {
        let clock = ManualClock()
        let limiter = RateLimiter<String>(limit: RateLimit(perSecond: 0.1, burst: 1), clock: { clock.read() })
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == 10)
    }

    @Test func theDefaultIsGenerous() {
        #expect(RateLimit.standard.perSecond == 1_000 && RateLimit.standard.burst == 2_000)
        #expect(!RateLimit(perSecond: 0).isEnabled)
        let clock = ManualClock()
        let limiter = RateLimiter<String>(limit: .standard, clock: { clock.read() })
        for _ in 0..<2_000 { #expect(limiter.take("busy") == nil) }
    }

    @Test func memoryStaysBoundedUnderManyTokens() {
        let clock = ManualClock()
        let limiter = RateLimiter<Int>(limit: RateLimit(perSecond: 1, burst: 3), capacity: 1_000, clock: { clock.read() })
        for key in 0..<10_000 { _ = limiter.take(key) }
        #expect(limiter.count <= 1_000)
        clock.advance(10)
        for key in 20_000..<21_000 { _ = limiter.take(key) }
        #expect(limiter.count <= 1_000)
    }
}
