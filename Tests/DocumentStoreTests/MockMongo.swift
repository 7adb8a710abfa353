import Foundation
import Synchronization

/// `mock_mongo.py <scenario>` running as a child process: a scripted MongoDB server (mockupdb) on a
/// free loopback port that asserts every command it receives.
final class MockMongo: Sendable {
    private let process: Process
    private let output = OutputBuffer()
    let port: Int
    let scenario: String

    /// The interpreter with Debian's python3-mockupdb: `MOCKUPDB_PYTHON`, else `/usr/bin/python3`
    /// (a `python3` earlier on PATH, e.g. pyenv's, does not see Debian's dist-packages).
    static var python: String {
        ProcessInfo.processInfo.environment["MOCKUPDB_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/python3"
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("mock_mongo.py").path

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the script and waits for the port it prints.
    init(scenario: String) async throws {
        self.scenario = scenario
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-u", Self.script, scenario]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            output.bytes.withLock { $0.append(chunk) }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(15)
        var found: Int?
        while found == nil, ContinuousClock.now < deadline {
            let text = output.text
            found = text.split(separator: "\n").first { $0.hasPrefix("PORT ") }.flatMap { Int($0.dropFirst(5)) }
            if found == nil {
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            throw StartFailure(description: "\(Self.python) \(Self.script) \(scenario) printed no port: "
                + output.text)
        }
        port = found
    }

    /// Short timeouts, so a step the script does not answer fails the test in seconds.
    var uri: String {
        "mongodb://127.0.0.1:\(port)/boxoffice?serverSelectionTimeoutMS=2000&connectTimeoutMS=2000&socketTimeoutMS=5000"
    }

    /// Everything the script printed so far.
    var log: String { output.text }

    /// Waits for the script to finish its scenario (killing it after `timeout`); its exit status and output.
    func finish(timeout: Duration = .seconds(30)) async -> (status: Int32, output: String) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, log + "\n(killed: the scenario did not finish in \(timeout))")
        }
        // Let the pipe deliver what was written just before the exit.
        try? await Task.sleep(for: .milliseconds(50))
        return (process.terminationStatus, log)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// What the script printed, appended from the pipe's reader thread.
final class OutputBuffer: Sendable {
    let bytes = Mutex(Data())

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
