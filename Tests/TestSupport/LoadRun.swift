import Foundation

/// Runs `boxoffice load <workload> … --json` against a server and returns its report.
public enum LoadRun {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        /// The `--json` report, parsed.
        public var report: [String: any Sendable]

        /// The named checks that failed, with their details.
        public var failedChecks: [String] {
            (report["checks"] as? [[String: any Sendable]] ?? []).filter { $0["ok"] as? Bool != true }
                .map { "\($0["name"] ?? "?"): \($0["detail"] ?? "")" }
        }

        public func number(_ key: String) -> Int? { (report[key] as? NSNumber)?.intValue }
        public func fact(_ key: String) -> Int? { ((report["facts"] as? [String: any Sendable])?[key] as? NSNumber)?.intValue }
    }

    public static func run(_ server: ServerProcess, _ arguments: [String], timeout: TimeInterval = 180) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = ["load"] + arguments + ["--url", server.baseURL, "--json"]
        var env = ProcessInfo.processInfo.environment
        env["ADMIN_TOKEN"] = server.adminToken
        process.environment = env
        // A file, not a pipe: a full pipe would block the child, and Foundation watches pipes for exit.
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("bo-load-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let handle = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Waiting blocks a thread: do it off the cooperative pool, which the rest of the suite shares.
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: ChildExit.wait(process, timeout: timeout)) }
        }
        try handle.close()
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        let parsed = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        return Result(status: status, output: output, report: parsed.mapValues { $0 as! any Sendable })
    }
}
