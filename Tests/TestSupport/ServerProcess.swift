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

    /// Starts `boxoffice <arguments>` (default `serve`) and waits until `/health` answers from this process.
    ///
    /// The port is free when asked for, but a test running in parallel can take it before this server
    /// binds it. Then this server exits and the other one answers on the port, so only a health answer
    /// naming this process counts, and a start that lost the port is tried again on another one.
    public init(
        arguments: [String] = ["serve"], environment: [String: String] = [:], adminToken: String? = nil,
        databaseURL: String? = nil, waitForHealth: Bool = true
    ) async throws {
        // A token per server: a request that reached another test's server is refused, not served.
        self.adminToken = adminToken ?? "test-admin-\(UUID().uuidString)"
        var attempt = 1
        while true {
            let port = try Self.freePort()
            let (process, logFile) = try Self.launch(
                arguments: arguments + (arguments.first == "serve" ? ["--port", String(port)] : []),
                environment: environment, adminToken: self.adminToken, databaseURL: databaseURL, port: port)
            if !waitForHealth {
                (self.port, self.process, self.logFile) = (port, process, logFile)
                return
            }
            switch await Self.waitUntilHealthy(process, port: port, adminToken: self.adminToken) {
            case .healthy:
                (self.port, self.process, self.logFile) = (port, process, logFile)
                return
            case .exited where attempt < 3:
                attempt += 1
            case .exited, .timedOut:
                if process.isRunning { process.terminate() }
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw ServerError(description: "boxoffice did not become healthy on port \(port):\n\(log)")
            }
        }
    }

    private static func launch(
        arguments: [String], environment: [String: String], adminToken: String, databaseURL: String?, port: Int
    ) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = databaseURL ?? TestDatabase.url
        env["ADMIN_TOKEN"] = adminToken
        env["LOG_LEVEL"] = env["TEST_SERVER_LOG_LEVEL"] ?? "warning"
        // The whole suite shares two cores; only tests about time-outs ask for a short one.
        env["REQUEST_TIMEOUT"] = "60"
        env.merge(environment) { _, new in new }
        process.environment = env
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("boxoffice-\(port)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, logFile)
    }

    private enum Start { case healthy, exited, timedOut }

    private static func waitUntilHealthy(_ process: Process, port: Int, adminToken: String) async -> Start {
        let deadline = Date().addingTimeInterval(30)
        // The admin view names the gateway "<host>-<pid>"; with no usable token (`--dev` makes its own)
        // a running process that answers is the best evidence there is.
        let own = "-\(process.processIdentifier)"
        while Date() < deadline {
            guard process.isRunning else { return .exited }
            if let reply = try? await HTTP.send(.GET, "http://127.0.0.1:\(port)/health", token: adminToken.isEmpty ? nil : adminToken),
                reply.status == 200,
                adminToken.isEmpty || (reply.json["gatewayId"] as? String)?.hasSuffix(own) == true
            {
                return .healthy
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return process.isRunning ? .timedOut : .exited
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

    /// A loopback port nobody has bound, chosen below the kernel's ephemeral range: a port the kernel hands
    /// out can be taken by any client socket (PostgreSQL's, a load run's) before the server binds it.
    static func freePort() throws -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        let low = min(range?.first ?? 32768, 32768)
        for _ in 0..<200 {
            let port = Int.random(in: 20000..<max(low, 20001))
            if canBind(port) { return port }
        }
        throw ServerError(description: "no free port below \(low)")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// A server that would not start.
public struct ServerError: Error, CustomStringConvertible {
    public var description: String
}
