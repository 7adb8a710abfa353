import Foundation

/// Runs a one-shot `boxoffice <arguments>` (`replay`, `load`, …) to completion and captures its output.
public enum CommandRun {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    public static func boxoffice(_ arguments: [String], environment: [String: String], timeout: TimeInterval = 60) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LOG_LEVEL"] = "warning"
        env.merge(environment) { _, new in new }
        process.environment = env
        // Files, not pipes: a full pipe would block the child, and Foundation watches pipes for exit.
        let files = ["out", "err"].map { FileManager.default.temporaryDirectory.appendingPathComponent("bo-run-\(UUID().uuidString).\($0)") }
        defer { for file in files { try? FileManager.default.removeItem(at: file) } }
        let handles = try files.map { file in
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            return try FileHandle(forWritingTo: file)
        }
        process.standardOutput = handles[0]
        process.standardError = handles[1]
        try process.run()
        // Waiting blocks a thread: do it off the cooperative pool, which the rest of the suite shares.
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: ChildExit.wait(process, timeout: timeout)) }
        }
        for handle in handles { try handle.close() }
        let texts = files.map { (try? String(contentsOf: $0, encoding: .utf8)) ?? "" }
        return Result(status: status, output: texts[0], errors: texts[1])
    }
}
