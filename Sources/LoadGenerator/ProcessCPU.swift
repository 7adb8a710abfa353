import Foundation

/// CPU time of processes from `/proc/<pid>/stat` (Linux), for WORKLOADS.md's CPU milliseconds per success.
/// Elsewhere (no `/proc`) every reading is nil and the report leaves the figure out.
enum ProcessCPU {
    /// Clock ticks per second of the stat fields (USER_HZ; 100 on every Linux we run on).
    private static let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// The stat fields after the command name (which may hold spaces): index 0 is field 3 (state).
    private static func fields(_ pid: String) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// utime + stime of `pid` (all its threads), plus cutime + cstime, the children it has reaped: a
    /// PostgreSQL backend that ended during the run is counted through its postmaster.
    static func millis(_ pid: String) -> Double? {
        guard let fields = fields(pid), fields.count > 14 else { return nil }
        let ticks = [11, 12, 13, 14].compactMap { Double(fields[$0]) }.reduce(0, +)
        return ticks * 1000 / ticksPerSecond
    }

    /// `pid` and its living children, summed: the postmaster and its backends and workers.
    static func millisWithChildren(_ pid: Int32) -> Double? {
        guard var total = millis(String(pid)) else { return nil }
        let parent = Substring(String(pid))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries where entry.first?.isNumber == true {
            if let fields = fields(entry), fields.count > 14, fields[1] == parent { total += millis(entry) ?? 0 }
        }
        return total
    }
}

/// Which processes a run's CPU is measured for: always the load generator itself; the server and PostgreSQL
/// when their process ids are given (`--server-pid`, `--postgres-pid` with the postmaster's id).
struct CPUMeter: Sendable {
    var serverPID: Int32?
    var postgresPID: Int32?

    func sample() -> [String: Double] {
        var sample: [String: Double] = [:]
        sample["client"] = ProcessCPU.millis("self")
        sample["server"] = serverPID.flatMap { ProcessCPU.millisWithChildren($0) }
        sample["postgres"] = postgresPID.flatMap { ProcessCPU.millisWithChildren($0) }
        return sample
    }
}

/// CPU used from the common start: the client's until its last attempt ended, the server's and PostgreSQL's
/// until `finish()`, which the workloads call once the projections have caught up, so that the work the run
/// caused is counted even when the projectors finish it after the clients stopped.
struct CPUWindow: Sendable {
    let meter: CPUMeter
    let start: [String: Double]
    let clientEnd: Double?

    func finish() -> [String: Double] {
        var end = meter.sample()
        end["client"] = clientEnd
        var used: [String: Double] = [:]
        for (name, before) in start { if let after = end[name] { used[name] = max(0, after - before) } }
        return used
    }
}
