import Foundation

/// Latencies in logarithmic buckets (5 % wide, 10 µs to ~100 s): constant memory and cost per sample,
/// percentiles accurate to one bucket. Used for the KPIs' p50/p95/p99, which Prometheus's coarse
/// buckets cannot give.
struct LatencyHistogram: Sendable {
    private static let floorMs = 0.01
    private static let growth = log(1.05)
    private static let bucketCount = 330

    private var counts = [Int](repeating: 0, count: bucketCount)
    private(set) var total = 0
    /// Exact, unlike the buckets: the mean is seed 001's "average response time".
    private var sumMs = 0.0

    mutating func record(milliseconds: Double) {
        let index = milliseconds <= Self.floorMs ? 0 : Int(log(milliseconds / Self.floorMs) / Self.growth) + 1
        counts[min(index, Self.bucketCount - 1)] += 1
        total += 1
        sumMs += milliseconds
    }

    mutating func add(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
        sumMs += other.sumMs
    }

    /// Mean latency in milliseconds (two decimals); nil when empty.
    var mean: Double? {
        guard total > 0 else { return nil }
        return (sumMs / Double(total) * 100).rounded() / 100
    }

    /// Nearest-rank percentile (`quantile` in 0...1), as the upper edge of its bucket; nil when empty.
    func percentile(_ quantile: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((quantile * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return Self.upperEdge(index) }
        }
        return Self.upperEdge(Self.bucketCount - 1)
    }

    private static func upperEdge(_ index: Int) -> Double {
        let edge = floorMs * exp(growth * Double(index))
        return (edge * 100).rounded() / 100
    }
}
