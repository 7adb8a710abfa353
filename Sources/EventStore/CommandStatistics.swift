import Synchronization

/// Running totals of a command handler, read by the KPIs. Lock-free: they are bumped on the hot path.
public final class CommandStatistics: Sendable {
    private let retryCount = Atomic<Int>(0)
    private let batchCount = Atomic<Int>(0)
    private let batchedCommandCount = Atomic<Int>(0)

    public init() {}

    /// Optimistic-concurrency retries: appends that lost a version race and were decided again.
    public var retries: Int { retryCount.load(ordering: .relaxed) }
    /// Appends made (one per decided batch that recorded events).
    public var batches: Int { batchCount.load(ordering: .relaxed) }
    /// Commands decided in those batches (batched / batches = the group-commit factor).
    public var batchedCommands: Int { batchedCommandCount.load(ordering: .relaxed) }

    func retried() { retryCount.add(1, ordering: .relaxed) }

    func appended(commands: Int) {
        batchCount.add(1, ordering: .relaxed)
        batchedCommandCount.add(commands, ordering: .relaxed)
    }
}
