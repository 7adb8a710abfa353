import ArgumentParser
import LoadGenerator

/// Options every WORKLOADS.md workload shares.
struct LoadOptions: ParsableArguments {
    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Concurrent clients (C).") var clients = 16
    @Option(help: "Stop after this many seconds (T); default: the workload's own.") var duration: Double?
    @Option(help: "Seed of the clients' random choices (client i uses seed + i).") var seed: UInt64 = 1
    @Flag(help: "Print the report as one JSON object (for scripts).") var json = false
    @Option(name: .customLong("admin-token"), help: "Admin token for set-up and checks (env ADMIN_TOKEN).")
    var adminToken: String?
    @Option(name: .customLong("server-pid"), help: "Also report the CPU used by this process (the server) during the run (Linux).")
    var serverPID: Int32?
    @Option(
        name: .customLong("postgres-pid"),
        help: "Also report the CPU used by this PostgreSQL postmaster and its backends during the run (Linux).")
    var postgresPID: Int32?

    func validate() throws {
        guard (1...1_000).contains(clients) else { throw ValidationError("--clients must be 1 to 1000") }
        if let duration, !(duration > 0 && duration <= 3_600) { throw ValidationError("--duration must be 0 to 3600 seconds") }
    }

    func settings() throws -> LoadSettings {
        guard let token = adminToken ?? Environment.value("ADMIN_TOKEN") else {
            throw ValidationError("the admin token is required (--admin-token or ADMIN_TOKEN) to set up the workload")
        }
        return LoadSettings(
            url: url, clients: clients, duration: duration.map { .seconds($0) }, seed: seed,
            adminToken: token, serverPID: serverPID, postgresPID: postgresPID)
    }

    /// Prints the report (text or JSON) and fails the command when a correctness check failed.
    func emit(_ report: LoadReport) throws {
        print(json ? try report.json() : report.text)
        if !report.ok { throw ExitCode(1) }
    }
}
