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
        let run = try await CommandRun.boxoffice(
            ["load"] + arguments + ["--url", server.baseURL, "--json"],
            environment: ["ADMIN_TOKEN": server.adminToken], timeout: timeout)
        let output = run.output + run.errors
        let line = run.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? "{}"
        let parsed = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        return Result(status: run.status, output: output, report: parsed.mapValues { $0 as! any Sendable })
    }
}
