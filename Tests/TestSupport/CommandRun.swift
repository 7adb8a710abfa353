import Foundation

/// Runs `boxoffice <arguments>` to completion (a one-shot subcommand such as `replay`), capturing stdout.
public enum CommandRun {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    public static func boxoffice(_ arguments: [String], databaseURL: String, timeout: TimeInterval = 60) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read before reaping: a child writing more than a pipe buffer would otherwise never exit.
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let status = ChildExit.wait(process, timeout: timeout)
        return Result(status: status, output: String(decoding: output, as: UTF8.self))
    }
}
