import Foundation
import Histogram

/// What one attempt came to, as WORKLOADS.md counts it.
enum AttemptOutcome: Sendable {
    /// Committed; `units` seats or tickets.
    case success(units: Int)
    /// Nothing committed because the seats were taken or too few places remained: the request ends.
    case taken
    /// Lost on concurrency (a 503 `overloaded`): the request retries with a fresh view.
    case concurrency
    /// The view had nothing to ask for: the client stops, and this is not an attempt.
    case soldOut
    /// Anything else (a bug or a broken connection): counted and reported, the request ends.
    case error(String)
}

/// One client's tallies; merged at the end of a run.
struct ClientStats: Sendable {
    var attempts = 0, successes = 0, units = 0, taken = 0, concurrency = 0, gaveUp = 0, requests = 0, errors = 0
    /// Clients that stopped because their view was sold out.
    var soldOutClients = 0
    var errorSamples: [String] = []
    /// Latency of successful attempts (view read + command + commit), microseconds.
    var attemptLatency = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    /// Latency of successful requests (first attempt start to success, retries included), microseconds.
    var requestLatency = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    var lastAttemptEnd: ContinuousClock.Instant?

    mutating func merge(_ other: ClientStats) {
        attempts += other.attempts
        successes += other.successes
        units += other.units
        taken += other.taken
        concurrency += other.concurrency
        gaveUp += other.gaveUp
        requests += other.requests
        errors += other.errors
        soldOutClients += other.soldOutClients
        errorSamples += other.errorSamples.prefix(max(0, 5 - errorSamples.count))
        attemptLatency.add(other.attemptLatency)
        requestLatency.add(other.requestLatency)
        if let end = other.lastAttemptEnd { lastAttemptEnd = max(lastAttemptEnd ?? end, end) }
    }
}

/// The attempts of one request; a request may carry state across its concurrency retries (W3's qty).
protocol RequestPlan: Sendable {
    /// One attempt: read the view, choose, try to commit once.
    mutating func attempt(_ api: APIClient, random: inout SeededGenerator) async -> AttemptOutcome
}

/// Runs C clients that start together and follow WORKLOADS.md's request rules.
struct WorkloadRunner: Sendable {
    /// Consecutive concurrency failures after which a request gives up.
    static let maxConcurrencyAttempts = 20

    let api: APIClient
    let clients: Int
    let duration: Duration
    let seed: UInt64
    /// Requests each client makes at most (W3 tiny: 1); nil for no limit.
    var requestsPerClient: Int?
    /// Whose CPU the run measures.
    var meter = CPUMeter()

    /// Runs the clients; `plan(i)` gives client i's next request. Returns the merged tallies, the elapsed time
    /// and the CPU window opened at the common start.
    func run(
        _ plan: @escaping @Sendable (Int, inout SeededGenerator) -> any RequestPlan
    ) async
        -> (ClientStats, Duration, CPUWindow)
    {
        // Warm-up, untimed: every client's connection is opened before the common start.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<clients { group.addTask { _ = try? await api.raw(.GET, "/health", token: nil) } }
        }
        let start = ContinuousClock.now + .milliseconds(100)
        let deadline = start + duration
        let meter = meter
        let opening = Task {
            try? await Task.sleep(until: start, clock: .continuous)
            return meter.sample()
        }
        let total = await withTaskGroup(of: ClientStats.self) { group in
            for index in 0..<clients {
                group.addTask {
                    try? await Task.sleep(until: start, clock: .continuous)
                    return await client(index, deadline: deadline, plan: plan)
                }
            }
            return await group.reduce(into: ClientStats()) { $0.merge($1) }
        }
        let clientEnd = meter.sample()["client"]
        let window = CPUWindow(meter: meter, start: await opening.value, clientEnd: clientEnd)
        return (total, (total.lastAttemptEnd ?? start) - start, window)
    }

    private func client(
        _ index: Int, deadline: ContinuousClock.Instant,
        plan: @Sendable (Int, inout SeededGenerator) -> any RequestPlan
    ) async -> ClientStats {
        var stats = ClientStats()
        var random = SeededGenerator(seed: seed &+ UInt64(index))
        requests: while ContinuousClock.now < deadline, stats.requests < (requestsPerClient ?? .max) {
            var request = plan(index, &random)
            let requestStart = ContinuousClock.now
            var failedOnConcurrency = 0
            while true {
                let attemptStart = ContinuousClock.now
                guard attemptStart < deadline else { break requests }
                let outcome = await request.attempt(api, random: &random)
                let end = ContinuousClock.now
                if case .soldOut = outcome {
                    stats.soldOutClients = 1
                    break requests
                }
                stats.attempts += 1
                stats.lastAttemptEnd = end
                switch outcome {
                case .success(let units):
                    stats.successes += 1
                    stats.units += units
                    stats.attemptLatency.record(Self.micros(end - attemptStart))
                    stats.requestLatency.record(Self.micros(end - requestStart))
                case .taken:
                    stats.taken += 1
                case .concurrency:
                    stats.concurrency += 1
                    failedOnConcurrency += 1
                    if failedOnConcurrency < Self.maxConcurrencyAttempts { continue }
                    stats.gaveUp += 1
                case .error(let message):
                    stats.errors += 1
                    if stats.errorSamples.count < 5 { stats.errorSamples.append(message) }
                case .soldOut:
                    break
                }
                stats.requests += 1
                continue requests
            }
        }
        return stats
    }

    static func micros(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000_000)
    }
}

/// Classifies a command's answer: 201 success, 409 taken/insufficient, 503 overloaded a concurrency conflict.
func classify(_ reply: RawReply, units: Int) -> AttemptOutcome {
    switch reply.status {
    case 201: return .success(units: units)
    case 409 where ["seat_unavailable", "insufficient_capacity"].contains(reply.errorCode): return .taken
    case 503 where reply.errorCode == "overloaded": return .concurrency
    default: return .error("\(reply.status) \(reply.errorCode ?? reply.text.prefix(200).description)")
    }
}
