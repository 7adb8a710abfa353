import ArgumentParser
import EventStore
import Foundation
import Gateway
import Hummingbird
import Logging
import ServiceLifecycle

/// `boxoffice serve`: the HTTP gateway.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP gateway.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Listen address (env HOST).") var host: String?
    @Option(help: "Listen port (env PORT).") var port: Int?
    @Option(name: .customLong("hold-ttl"), help: "Seconds a hold lasts (env HOLD_TTL).") var holdTTL: Double?
    @Option(name: .customLong("admin-token"), help: "Admin bearer token (env ADMIN_TOKEN); generated when unset.")
    var adminToken: String?

    func run() async throws {
        let logger = try common.makeLogger("boxoffice")
        let client = try Database.client(try common.database(), logger: logger)
        let store = PostgresEventStore(client: client, logger: logger)
        let token = adminToken ?? Environment.value("ADMIN_TOKEN") ?? {
            let generated = "adm_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            logger.notice("no ADMIN_TOKEN configured; generated one for this run", metadata: ["admin.token": "\(generated)"])
            return generated
        }()
        let ttl = try holdTTL ?? Environment.number("HOLD_TTL", Double.self) ?? 300
        let maxSeats = try Environment.number("MAX_SEATS_PER_BOOKING", Int.self) ?? 10
        guard ttl > 0, maxSeats >= 1 else { throw ValidationError("HOLD_TTL and MAX_SEATS_PER_BOOKING must be positive") }
        let settings = GatewaySettings(
            adminToken: token, holdTTL: ttl, maxSeatsPerBooking: maxSeats,
            gatewayId: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
        let backend = Backend(store: store, settings: settings)
        let router = GatewayRouter.build(backend, logger: logger)
        let address = host ?? Environment.value("HOST") ?? "127.0.0.1"
        let listenPort = try port ?? Environment.number("PORT", Int.self) ?? 8080
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(address, port: listenPort), serverName: "boxoffice"),
            logger: logger)
        app.beforeServerStarts {
            try await Migrations.apply(client, logger: logger)
        }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: client), .init(service: app)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
