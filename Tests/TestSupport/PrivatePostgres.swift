import Foundation

/// A PostgreSQL server of a test's own (started with the same script functions as `scripts/test`),
/// for tests that stop or restart the database under a running gateway.
public final class PrivatePostgres: @unchecked Sendable {
    public let directory: String
    public let port: Int
    public let url: String

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    public init() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bo-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(
            atPath: scratch, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        directory = scratch + "/pg"
        // The port is free when asked for, but another test's server or client socket can take it before
        // PostgreSQL binds it ("Address already in use"): then another port.
        var attempt = 1
        while true {
            let port = try ServerProcess.freePort()
            do {
                let output = try Self.shell("start_postgres '\(directory)' \(port) boxoffice -c fsync=off >/dev/null && echo \"$DATABASE_URL\"")
                (self.port, url) = (port, output.trimmingCharacters(in: .whitespacesAndNewlines))
                return
            } catch  where attempt < 3 {
                attempt += 1
            }
        }
    }

    /// `pg_ctl restart -m fast`: every connection is cut, the server is back when this returns.
    public func restart() throws {
        _ = try Self.shell("as_pg \"$(pg_bin)/pg_ctl\" -D '\(directory)' -l '\(directory)/server.log' -m fast -w restart >/dev/null 2>&1")
    }

    public func stop() {
        _ = try? Self.shell("stop_postgres '\(directory)'")
    }

    deinit { stop() }

    @discardableResult
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Close inherited descriptors first: Foundation notices the child's exit through one of them,
        // and the server daemon started below would otherwise keep it open forever.
        let closeInherited = "for fd in $(ls /proc/$$/fd); do [ $fd -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done"
        process.arguments = ["-c", "\(closeInherited); set -e; source '\(repositoryRoot)/scripts/lib/common.sh'; \(command)"]
        // A file, not a pipe, for the same reason.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("bo-shell-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let handle = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let status = ChildExit.wait(process, timeout: 120)
        try handle.close()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ServerError(description: "\(command) failed: \(output)") }
        return output
    }
}
