import Foundation
import Histogram

/// One correctness check of a run, computed from the API afterwards.
struct LoadCheck: Codable, Sendable {
    var name: String
    var ok: Bool
    var detail: String
}

/// Projection lag sampled from `/health` while the clients ran.
struct LagSummary: Codable, Sendable {
    var samples: Int
    var medianMs: Double
    var p99Ms: Double
    var maxMs: Double
}

/// Everything a run reports; `--json` prints it as it is.
public struct LoadReport: Codable, Sendable {
    var workload: String
    var clients: Int
    var durationLimitSeconds: Double
    var elapsedSeconds: Double
    var requests: Int
    var attempts: Int
    var successes: Int
    /// Attempts refused because the seats were taken or too few places remained.
    var conflicts: Int
    /// Attempts lost on concurrency (503 overloaded), retried.
    var concurrencyConflicts: Int
    var gaveUp: Int
    var errors: Int
    var successesPerSecond: Double
    var attemptsPerSecond: Double
    var conflictsPerSuccess: Double
    var p50Ms: Double
    var p99Ms: Double
    var requestP50Ms: Double
    var requestP99Ms: Double
    var soldOut: Bool
    var projectionLag: LagSummary?
    /// CPU milliseconds used during the run by `client` (this load generator, common start to its last
    /// attempt), `server` and `postgres` (common start until the projections caught up); see CPUWindow.
    var cpuMs: [String: Double]?
    /// Figures read back from the API (seats sold, bookings in the log, remaining, …).
    var facts: [String: Int]
    var checks: [LoadCheck]
    var errorSamples: [String]
    /// Every correctness check held.
    public var ok: Bool

    init(
        workload: String, clients: Int, limit: Duration, stats: ClientStats, elapsed: Duration, soldOut: Bool,
        lag: LagSummary?, cpu: [String: Double]? = nil, facts: [String: Int], checks: [LoadCheck]
    ) {
        let seconds = max(elapsed.seconds, 1e-9)
        let millis = { (histogram: Histogram<UInt64>, percentile: Double) in
            histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
        }
        self.workload = workload
        self.clients = clients
        durationLimitSeconds = limit.seconds
        elapsedSeconds = elapsed.seconds
        requests = stats.requests
        attempts = stats.attempts
        successes = stats.successes
        conflicts = stats.taken
        concurrencyConflicts = stats.concurrency
        gaveUp = stats.gaveUp
        errors = stats.errors
        successesPerSecond = Double(stats.successes) / seconds
        attemptsPerSecond = Double(stats.attempts) / seconds
        conflictsPerSuccess = stats.successes == 0 ? 0 : Double(stats.attempts - stats.successes) / Double(stats.successes)
        p50Ms = millis(stats.attemptLatency, 50)
        p99Ms = millis(stats.attemptLatency, 99)
        requestP50Ms = millis(stats.requestLatency, 50)
        requestP99Ms = millis(stats.requestLatency, 99)
        self.soldOut = soldOut
        projectionLag = lag
        cpuMs = cpu
        self.facts = facts
        let noErrors = LoadCheck(name: "no unexpected answers", ok: stats.errors == 0, detail: "\(stats.errors) errors")
        self.checks = checks + [noErrors]
        errorSamples = stats.errorSamples
        ok = self.checks.allSatisfy(\.ok)
    }

    /// The report as one line of JSON, keys sorted (scripts/bench reads it).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The report for people.
    public var text: String {
        let f = { (value: Double) in String(format: "%.1f", value) }
        var lines = [
            "\(workload): \(clients) clients, limit \(f(durationLimitSeconds)) s",
            "  successful reservations/s   \(f(successesPerSecond))   (\(successes) in \(String(format: "%.3f", elapsedSeconds)) s)",
            "  attempts/s                  \(f(attemptsPerSecond))   (\(attempts) attempts, \(requests) requests)",
            "  conflicts per success       \(String(format: "%.2f", conflictsPerSuccess))   (\(conflicts) taken, \(concurrencyConflicts) concurrency, \(gaveUp) gave up)",
            "  successful attempt p50/p99  \(String(format: "%.2f", p50Ms)) / \(String(format: "%.2f", p99Ms)) ms",
            "  successful request p50/p99  \(String(format: "%.2f", requestP50Ms)) / \(String(format: "%.2f", requestP99Ms)) ms",
            "  sold out                    \(soldOut)",
        ]
        if let lag = projectionLag {
            lines.append(
                "  projection lag (/health)    median \(f(lag.medianMs)) ms, p99 \(f(lag.p99Ms)) ms, max \(f(lag.maxMs)) ms (\(lag.samples) samples)")
        }
        if let cpu = cpuMs, successes > 0 {
            let per = cpu.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value / Double(successes)))" }
            lines.append("  CPU ms per success          " + per.joined(separator: ", "))
        }
        lines.append("  facts                       " + facts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        for check in checks { lines.append("  [\(check.ok ? "ok" : "FAILED")] \(check.name): \(check.detail)") }
        for sample in errorSamples { lines.append("  error sample: \(sample)") }
        return lines.joined(separator: "\n")
    }
}

/// Samples the worst projection lag from `/health` every 100 ms until stopped.
final class LagSampler: Sendable {
    private let samples = LagSamples()
    private let task: Task<Void, Never>

    /// `admin`: only the admin token sees the projections in `/health`.
    init(_ api: APIClient, admin: String) {
        let samples = samples
        task = Task {
            while !Task.isCancelled {
                if let health = try? await api.send(.GET, "/health", token: admin),
                    let projections = health.json["projections"] as? [[String: any Sendable]]
                {
                    await samples.add(projections.compactMap { $0["lagMs"] as? Double }.max() ?? 0)
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func stop() async -> LagSummary? {
        task.cancel()
        let sorted = await samples.sorted()
        guard !sorted.isEmpty else { return nil }
        let rank = { (p: Double) in sorted[max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)] }
        return LagSummary(samples: sorted.count, medianMs: rank(50), p99Ms: rank(99), maxMs: sorted.last!)
    }
}
