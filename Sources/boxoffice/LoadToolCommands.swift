import ArgumentParser
import LoadGenerator

/// `boxoffice load race`: N buyers at once for a GA section with fewer places; proves no oversell.
/// `--seated`: seed 004's script, N guests at once for one seat of a show.
struct LoadRace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "race",
        abstract: "Race --clients parallel bookings of one ticket for a section of --capacity places (--seated: of seat 1 of a show).")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Places in the section.") var capacity = 5
    @Option(help: "Parallel buyers, one ticket each.") var clients = 10
    @Flag(help: "Seed 004's race: guests book seat 1 of a show of --capacity seats; exactly one wins.") var seated = false
    @Option(name: .customLong("admin-token"), help: "Admin token (env ADMIN_TOKEN).") var adminToken: String?

    func run() async throws {
        guard let admin = adminToken ?? Environment.value("ADMIN_TOKEN") else {
            throw ValidationError("the admin token is required (--admin-token or ADMIN_TOKEN) to create the event")
        }
        guard capacity >= 1, clients >= 1, clients <= 10_000 else { throw ValidationError("capacity and clients must be positive") }
        let report = try await Race(url: url, adminToken: admin, capacity: capacity, clients: clients, seated: seated).run()
        print(report.text)
        if !report.ok { throw ExitCode(1) }
    }
}

/// `boxoffice load room`: W1 behind a waiting room (issue 17): `--clients` buyers queue before sales
/// open, are admitted at `--admit-per-minute`, and book the best pair or are told it is sold out.
struct LoadRoom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Buyers queue in an on-sale's waiting room before it opens, then book in turn (issue 17).")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Buyers, all queued before sales open.") var clients = 1_000
    @Option(help: "Admissions per minute.") var admitPerMinute = 6_000
    @Option(name: .customLong("admin-token"), help: "Admin token (env ADMIN_TOKEN).") var adminToken: String?

    func run() async throws {
        guard let admin = adminToken ?? Environment.value("ADMIN_TOKEN") else {
            throw ValidationError("the admin token is required (--admin-token or ADMIN_TOKEN) to create the session")
        }
        guard (1...10_000).contains(clients), admitPerMinute >= 1 else {
            throw ValidationError("clients must be 1 to 10000, admit-per-minute positive")
        }
        let report = try await WaitingRoomRun(url: url, adminToken: admin, clients: clients, admitPerMinute: admitPerMinute).run()
        print(report.text)
        if !report.ok { throw ExitCode(1) }
    }
}

/// `boxoffice load fill`: books `--events` single tickets over HTTP with `--clients` parallel buyers,
/// sampling the projections' live lag from `/health` meanwhile. Used to build large logs and to
/// measure projection catch-up and lag.
struct LoadFill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill", abstract: "Fill the log with bookings and report projection lag.")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Bookings to make (one event each).") var events = 10_000
    @Option(help: "Parallel buyers.") var clients = 32
    @Option(name: .customLong("admin-token"), help: "Admin token (env ADMIN_TOKEN).") var adminToken: String?

    func run() async throws {
        guard let admin = adminToken ?? Environment.value("ADMIN_TOKEN") else { throw ValidationError("the admin token is required") }
        guard (1...1_000_000).contains(events), (1...1_000).contains(clients) else { throw ValidationError("events or clients out of range") }
        let report = try await Fill(url: url, adminToken: admin, events: events, clients: clients).run()
        print(report.text)
        if !report.ok { throw ExitCode(1) }
    }
}
