import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `boxoffice serve` process on a free loopback port, for end-to-end tests.
public final class ServerProcess: @unchecked Sendable {
    public let port: Int
    public let adminToken: String
    private let process: Process
    private let logFile: URL

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The executable under test: `BOXOFFICE_BIN`, or the debug build next to the package.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["BOXOFFICE_BIN"], !path.isEmpty { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/boxoffice").path
    }

    /// Starts `boxoffice <arguments>` (default `serve`) and waits until `/health` answers.
    public init(
        arguments: [String] = ["serve"], environment: [String: String] = [:], adminToken: String = "test-admin-token",
        databaseURL: String? = nil, waitForHealth: Bool = true
    ) async throws {
        self.port = try Self.freePort()
        self.adminToken = adminToken
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments + (arguments.first == "serve" ? ["--port", String(port)] : [])
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = databaseURL ?? TestDatabase.url
        env["ADMIN_TOKEN"] = adminToken
        env["LOG_LEVEL"] = env["TEST_SERVER_LOG_LEVEL"] ?? "warning"
        // The whole suite shares two cores; only tests about time-outs ask for a short one.
        env["REQUEST_TIMEOUT"] = "60"
        env.merge(environment) { _, new in new }
        process.environment = env
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("boxoffice-\(port).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        if waitForHealth { try await waitUntilHealthy() }
    }

    private func waitUntilHealthy() async throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { break }
            if let reply = try? await HTTP.send(.GET, "\(baseURL)/health"), reply.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerError(description: "boxoffice did not become healthy on port \(port):\n\(log())")
    }

    /// What the server printed so far.
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Sends a signal (SIGTERM for a graceful stop, SIGKILL for a crash).
    public func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    public var isRunning: Bool { process.isRunning }

    /// The operating-system process id (part of the owner name projectors record).
    public var pid: Int32 { process.processIdentifier }

    /// Waits for the process to exit by itself and returns its status.
    public func waitForExit() -> Int32 {
        ChildExit.wait(process)
    }

    /// Stops the server and waits for it to exit.
    public func stop() {
        if process.isRunning {
            process.terminate()
            _ = ChildExit.wait(process, timeout: 15)
        }
    }

    deinit { stop() }

    /// Asks the kernel for a free loopback port.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw ServerError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A server that would not start.
public struct ServerError: Error, CustomStringConvertible {
    public var description: String
}
