import CoreMetrics
import EventStore
import Foundation
import Prometheus

/// The request KPIs of one gateway process (the `requests` part of `GET /kpis`).
struct RequestKPIs: Encodable, Sendable {
    struct Command: Encodable, Sendable {
        var command: String
        var count: Int
        var meanMs: Double?
        var p50Ms: Double?
        var p95Ms: Double?
        var p99Ms: Double?
    }

    struct Second: Encodable, Sendable {
        var at: Date
        var requests: Int
        var attempts: Int
        var successes: Int
        var conflicts: Int
        var meanMs: Double?
        var p50Ms: Double?
        var p95Ms: Double?
        var p99Ms: Double?
        var maxInFlight: Int
    }

    var total: Int
    var attempts: Int
    var successes: Int
    var seatConflicts: Int
    var overloaded: Int
    var optimisticRetries: Int
    var successRate: Double?
    var seatConflictRate: Double?
    var optimisticRetryRate: Double?
    var inFlight: Int
    var maxInFlight: Int
    var commands: [Command]
    var timeline: [Second]
}

/// One second of traffic: counts and the latency of commands (writes) answered in it.
struct SecondBucket {
    var second: Int64 = -1
    var requests = 0
    var attempts = 0
    var successes = 0
    var conflicts = 0
    var maxInFlight = 0
    var latency = LatencyHistogram()
}

/// What `RequestMetrics` guards with its lock.
struct RequestMetricsState {
    var inFlight = 0
    var maxInFlight = 0
    var total = 0
    var attempts: [AttemptKind: Int] = [:]
    var routes: [String: LatencyHistogram] = [:]
    var timeline = [SecondBucket](repeating: SecondBucket(), count: RequestMetrics.timelineSeconds)
    var exported = ExportedTotals()
    private var counters: [String: CoreMetrics.Counter] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]
    private var attemptCounters: [AttemptKind: CoreMetrics.Counter] = [:]

    /// A request starts; returns how many are now in flight.
    mutating func enter(second: Int64) -> Int {
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        let now = inFlight
        bucket(second) { $0.maxInFlight = max($0.maxInFlight, now) }
        return inFlight
    }

    /// A request ended; returns how many are still in flight.
    mutating func leave(route: String, kind: AttemptKind?, milliseconds: Double, second: Int64) -> Int {
        inFlight -= 1
        total += 1
        routes[route, default: LatencyHistogram()].record(milliseconds: milliseconds)
        if let kind { attempts[kind, default: 0] += 1 }
        let isCommand = !route.hasPrefix("GET ")
        bucket(second) { bucket in
            bucket.requests += 1
            if isCommand { bucket.latency.record(milliseconds: milliseconds) }
            guard let kind else { return }
            bucket.attempts += 1
            if kind == .success { bucket.successes += 1 }
            if kind == .seatConflict { bucket.conflicts += 1 }
        }
        return inFlight
    }

    private mutating func bucket(_ second: Int64, _ change: (inout SecondBucket) -> Void) {
        let index = Int(second % Int64(timeline.count))
        if timeline[index].second != second { timeline[index] = SecondBucket(second: second) }
        change(&timeline[index])
    }

    mutating func counter(route: String, outcome: RequestMetrics.Outcome, factory: PrometheusMetricsFactory) -> CoreMetrics.Counter {
        let code = outcome.code ?? "ok"
        let key = "\(route) \(outcome.status) \(code)"
        if let counter = counters[key] { return counter }
        let counter = CoreMetrics.Counter(
            label: "boxoffice_http_requests_total",
            dimensions: [("route", route), ("status", "\(outcome.status)"), ("code", code)], factory: factory)
        counters[key] = counter
        return counter
    }

    mutating func timer(route: String, factory: PrometheusMetricsFactory) -> CoreMetrics.Timer {
        if let timer = timers[route] { return timer }
        let timer = CoreMetrics.Timer(
            label: "boxoffice_http_request_duration_seconds", dimensions: [("route", route)],
            factory: factory)
        timers[route] = timer
        return timer
    }

    mutating func attemptCounter(_ kind: AttemptKind, factory: PrometheusMetricsFactory) -> CoreMetrics.Counter {
        if let counter = attemptCounters[kind] { return counter }
        let counter = CoreMetrics.Counter(
            label: "boxoffice_reservation_attempts_total", dimensions: [("outcome", kind.rawValue)],
            factory: factory)
        attemptCounters[kind] = counter
        return counter
    }

    func kpis(now: Int64, retries: Int) -> RequestKPIs {
        let attempted = attempts.values.reduce(0, +)
        func rate(_ count: Int) -> Double? { attempted == 0 ? nil : (Double(count) / Double(attempted) * 10_000).rounded() / 10_000 }
        let commands = routes.map { route, histogram in
            RequestKPIs.Command(
                command: route, count: histogram.total, meanMs: histogram.mean, p50Ms: histogram.percentile(0.5),
                p95Ms: histogram.percentile(0.95), p99Ms: histogram.percentile(0.99))
        }.sorted { ($0.count, $1.command) > ($1.count, $0.command) }
        // Completed seconds only, oldest first: the current one is still filling.
        let seconds = timeline.filter { $0.second >= 0 && $0.second < now && $0.second >= now - Int64(timeline.count) }
            .sorted { $0.second < $1.second }
            .map { bucket in
                RequestKPIs.Second(
                    at: Date(timeIntervalSince1970: TimeInterval(bucket.second)), requests: bucket.requests,
                    attempts: bucket.attempts, successes: bucket.successes, conflicts: bucket.conflicts,
                    meanMs: bucket.latency.mean, p50Ms: bucket.latency.percentile(0.5), p95Ms: bucket.latency.percentile(0.95),
                    p99Ms: bucket.latency.percentile(0.99), maxInFlight: bucket.maxInFlight)
            }
        return RequestKPIs(
            total: total, attempts: attempted,
            successes: attempts[.success] ?? 0, seatConflicts: attempts[.seatConflict] ?? 0,
            overloaded: attempts[.overloaded] ?? 0, optimisticRetries: retries,
            successRate: rate(attempts[.success] ?? 0), seatConflictRate: rate(attempts[.seatConflict] ?? 0),
            optimisticRetryRate: rate(retries), inFlight: inFlight, maxInFlight: maxInFlight,
            commands: commands, timeline: seconds)
    }
}

/// The command handler's totals as last pushed into Prometheus counters (which only count up by deltas).
struct ExportedTotals {
    var retries = 0
    var batches = 0
    var commands = 0

    mutating func advance(to statistics: CommandStatistics) -> (retries: Int, batches: Int, commands: Int) {
        let now = (retries: statistics.retries, batches: statistics.batches, commands: statistics.batchedCommands)
        defer { (retries, batches, commands) = now }
        return (now.retries - retries, now.batches - batches, now.commands - commands)
    }
}
