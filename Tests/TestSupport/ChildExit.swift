import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Waiting for a child process without `Process.waitUntilExit()`, which on Linux can spin forever
/// after the child has exited (seen when tests start and restart database servers).
public enum ChildExit {
    /// Reaps `process` (or notices that Foundation did) and returns its exit status, or 128 + signal.
    /// Past `timeout` the child is killed.
    public static func wait(_ process: Process, timeout: TimeInterval = 30) -> Int32 {
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(timeout)
        var killed = false
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if !process.isRunning {
                // Foundation reaped it first (then waitpid answers -1); its status is the one to trust.
                return process.terminationStatus
            }
            if !killed && Date() > deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            // Reaped elsewhere and Foundation never noticed: report a failure rather than wait forever.
            if reaped == -1 && Date() > deadline.addingTimeInterval(10) { return 255 }
            usleep(10_000)
        }
    }
}
