import CoreMetrics
import EventStore
import Foundation
import Prometheus
import Synchronization

/// Request-level figures of this gateway process: exported through swift-metrics to a Prometheus
/// registry (`GET /metrics`), and kept as per-second buckets and latency histograms for `GET /kpis`.
/// One instance per backend, with its own registry, so several gateways in one process (tests) never
/// share counters and nothing depends on a global bootstrap.
public final class RequestMetrics: Sendable {
    /// Routes that try to place a booking: the "reservation attempts" of the KPIs.
    static let reservationRoutes: Set<String> = ["POST /sessions/:id/seats/reserve", "POST /book"]
    /// Seconds of per-second history kept for the dashboard.
    static let timelineSeconds = 120

    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let startedAt = Date()
    private let state = Mutex(RequestMetricsState())
    private let inFlightMeter: Meter
    private let retriesCounter: CoreMetrics.Counter
    private let batchesCounter: CoreMetrics.Counter
    private let batchedCounter: CoreMetrics.Counter

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000]
            .map { Duration.milliseconds($0) }
        self.factory = factory
        inFlightMeter = Meter(label: "boxoffice_http_requests_in_flight", factory: factory)
        retriesCounter = CoreMetrics.Counter(label: "boxoffice_optimistic_retries_total", factory: factory)
        batchesCounter = CoreMetrics.Counter(label: "boxoffice_group_commit_batches_total", factory: factory)
        batchedCounter = CoreMetrics.Counter(label: "boxoffice_group_commit_commands_total", factory: factory)
    }

    /// What one request turned into, for counting.
    struct Outcome {
        var status: Int
        var code: String?
    }

    /// Runs `body` as the request `route` ("METHOD /path/:param"), counting it in flight and recording
    /// its outcome and latency whether it answers or throws.
    func observe<T>(
        _ route: String, outcome: (T) -> Outcome, failure: (any Error) -> Outcome,
        _ body: () async throws -> T
    ) async throws -> T {
        let inFlight = state.withLock { $0.enter(second: Self.second()) }
        inFlightMeter.set(inFlight)
        let started = ContinuousClock.now
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        let elapsed = ContinuousClock.now - started
        let seen =
            switch result {
            case .success(let value): outcome(value)
            case .failure(let error): failure(error)
            }
        record(route, seen, elapsed)
        switch result {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }

    private func record(_ route: String, _ outcome: Outcome, _ elapsed: Duration) {
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        let kind = AttemptKind(route: route, outcome: outcome)
        let (counter, timer, attemptCounter, inFlight) = state.withLock { state in
            let inFlight = state.leave(route: route, kind: kind, milliseconds: milliseconds, second: Self.second())
            let counter = state.counter(route: route, outcome: outcome, factory: factory)
            let timer = state.timer(route: route, factory: factory)
            let attempts = kind.map { state.attemptCounter($0, factory: factory) }
            return (counter, timer, attempts, inFlight)
        }
        counter.increment()
        timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        attemptCounter?.increment()
        inFlightMeter.set(inFlight)
    }

    /// Brings the counters kept elsewhere (the command handler's) up to date, then renders the registry.
    func prometheusText(commands: CommandStatistics) -> String {
        let deltas = state.withLock { $0.exported.advance(to: commands) }
        if deltas.retries > 0 { retriesCounter.increment(by: deltas.retries) }
        if deltas.batches > 0 { batchesCounter.increment(by: deltas.batches) }
        if deltas.commands > 0 { batchedCounter.increment(by: deltas.commands) }
        return registry.emitToString()
    }

    /// The request KPIs as they stand.
    func snapshot(commands: CommandStatistics) -> RequestKPIs {
        let now = Self.second()
        return state.withLock { $0.kpis(now: now, retries: commands.retries) }
    }

    /// Seconds since this gateway started counting, to a tenth.
    var uptimeSeconds: Double { (Date().timeIntervalSince(startedAt) * 10).rounded() / 10 }

    static func second() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

/// How a reservation attempt ended.
enum AttemptKind: String, CaseIterable {
    case success
    case seatConflict = "seat_conflict"
    case overloaded, rejected

    init?(route: String, outcome: RequestMetrics.Outcome) {
        guard RequestMetrics.reservationRoutes.contains(route) else { return nil }
        switch (outcome.status, outcome.code) {
        case (200..<300, _): self = .success
        case (409, "seat_unavailable"?), (409, "insufficient_capacity"?), (409, "no_seats_together"?): self = .seatConflict
        case (503, "overloaded"?): self = .overloaded
        default: self = .rejected
        }
    }
}
