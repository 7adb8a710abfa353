import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `mock_mongo.py <scenario>` running as a child process: a scripted MongoDB server (mockupdb) on a
/// free loopback port that asserts every command it receives. Also runs `mongo_emulator.py`.
final class MockMongo: Sendable {
    /// Nil when attached to a script the caller started (`MOCK_MONGO_PORT_<SCENARIO>`).
    private let process: Process?
    private let output = OutputBuffer()
    /// The script's standard input, open while this object lives (the emulator exits when it closes).
    private let input = Pipe()
    let port: Int
    let scenario: String

    /// The interpreter with Debian's python3-mockupdb: `MOCKUPDB_PYTHON`, else `/usr/bin/python3`
    /// (a `python3` earlier on PATH, e.g. pyenv's, does not see Debian's dist-packages).
    static var python: String {
        ProcessInfo.processInfo.environment["MOCKUPDB_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/python3"
    }

    static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(name).path
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the script and waits for the port it prints; or, when `MOCK_MONGO_PORT_<SCENARIO>` is set,
    /// uses a script the caller started on that port (Foundation's `Process` cannot spawn under
    /// valgrind, so the README's leak check starts the scripts itself and checks their exit status).
    init(script name: String = "mock_mongo.py", scenario: String) async throws {
        self.scenario = scenario
        let script = Self.script(name)
        if let external = ProcessInfo.processInfo.environment["MOCK_MONGO_PORT_\(scenario.uppercased())"].flatMap(Int.init) {
            process = nil
            port = external
            return
        }
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-u", script, scenario]
        let pipe = Pipe()
        process.standardInput = input
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
            throw StartFailure(
                description: "\(Self.python) \(script) \(scenario) printed no port: "
                    + output.text)
        }
        port = found
    }

    /// Short timeouts, so a step the script does not answer fails the test in seconds (yet not so short
    /// that a CI machine busy with every other suite trips them).
    var uri: String { uri(serverSelectionTimeoutMS: 5_000) }

    func uri(serverSelectionTimeoutMS: Int) -> String {
        "mongodb://127.0.0.1:\(port)/boxoffice?serverSelectionTimeoutMS=\(serverSelectionTimeoutMS)&connectTimeoutMS=5000&socketTimeoutMS=10000"
    }

    /// Everything the script printed so far.
    var log: String { output.text }

    /// Waits for the script to finish its scenario (killing it after `timeout`); its exit status and output.
    func finish(timeout: Duration = .seconds(30)) async -> (status: Int32, output: String) {
        let deadline = ContinuousClock.now + timeout
        guard let process else {
            // The caller's script closes its port when its scenario is over; stay alive until then.
            while Self.listening(port), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
            return (0, "OK \(scenario): verdict left to the caller that started the script on port \(port)")
        }
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            process.terminate()
            _ = ChildExit.wait(process, timeout: 10)
            return (-1, log + "\n(killed: the scenario did not finish in \(timeout))")
        }
        // Let the pipe deliver what was written just before the exit.
        try? await Task.sleep(for: .milliseconds(50))
        return (process.terminationStatus, log)
    }

    /// Whether something accepts connections on the loopback port.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
    }
}

/// What the script printed, appended from the pipe's reader thread.
final class OutputBuffer: Sendable {
    let bytes = Mutex(Data())

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
