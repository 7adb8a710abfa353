import ArgumentParser
import EventStore
import Foundation
import Gateway
import Hummingbird
import Logging
import Projections
import ServiceLifecycle

/// `boxoffice serve`: the HTTP gateway (and with `--with-workers`, the projectors too).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP gateway.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var limits: LimitOptions
    @Option(help: "Listen address (env HOST).") var host: String?
    @Option(help: "Listen port (env PORT).") var port: Int?
    @Option(name: .customLong("hold-ttl"), help: "Seconds a hold lasts (env HOLD_TTL).") var holdTTL: Double?
    @Option(name: .customLong("admin-token"), help: "Admin bearer token, 16+ characters (env ADMIN_TOKEN); required unless --dev.")
    var adminToken: String?
    @Flag(name: .customLong("dev"), help: "Development: without ADMIN_TOKEN, generate one for this run and log it.")
    var dev = false
    @Option(name: .customLong("request-timeout"), help: "Seconds before a request is answered 503 (env REQUEST_TIMEOUT).")
    var requestTimeout: Double?
    @Flag(
        name: .customLong("with-workers"),
        help: "Also run the projectors, the expiry worker and the webhook delivery worker in this process (all-in-one mode).")
    var withWorkers = false

    func run() async throws {
        let configured = adminToken ?? Environment.value("ADMIN_TOKEN")
        if let configured, let problem = AdminTokenPolicy.problem(with: configured) { throw ValidationError(problem) }
        // A generated token differs per process (two gateways would disagree) and must be logged to be
        // usable: fine for a developer's machine, never in production.
        guard configured != nil || dev else {
            throw ValidationError("ADMIN_TOKEN (or --admin-token) is required; pass --dev to run with a generated one")
        }
        let runtime = try Runtime(common, label: "boxoffice")
        let logger = runtime.logger
        let token =
            configured
            ?? {
                let generated = "adm_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                logger.notice("--dev without ADMIN_TOKEN: generated one for this run", metadata: ["admin.token": "\(generated)"])
                return generated
            }()
        let ttl = try holdTTL ?? Environment.number("HOLD_TTL", Double.self) ?? 300
        let maxSeats = try Environment.number("MAX_SEATS_PER_BOOKING", Int.self) ?? 10
        let timeout = try requestTimeout ?? Environment.number("REQUEST_TIMEOUT", Double.self) ?? 5
        let extensions = try Environment.number("HOLD_EXTENSIONS", Int.self) ?? 1
        let maxHold = try Environment.number("MAX_HOLD_SECONDS", Double.self) ?? 900
        let streams = try Environment.number("SSE_MAX_SUBSCRIBERS", Int.self) ?? 10_000
        let heartbeat = try Environment.number("SSE_HEARTBEAT_SECONDS", Double.self) ?? 15
        let offerTTL = try Environment.number("WAITLIST_OFFER_SECONDS", Double.self) ?? 600
        guard ttl > 0, maxSeats >= 1, timeout > 0, extensions >= 0, maxHold > 0, streams >= 0, heartbeat > 0, offerTTL > 0 else {
            throw ValidationError(
                "HOLD_TTL, MAX_SEATS_PER_BOOKING, REQUEST_TIMEOUT, MAX_HOLD_SECONDS, SSE_HEARTBEAT_SECONDS and WAITLIST_OFFER_SECONDS must be positive, "
                    + "HOLD_EXTENSIONS and SSE_MAX_SUBSCRIBERS not negative")
        }
        var settings = GatewaySettings(
            adminToken: token, holdTTL: ttl, maxSeatsPerBooking: maxSeats, gatewayId: runtime.processId,
            requestTimeout: .milliseconds(Int(timeout * 1000)), rateLimit: try limits.limit(),
            corsOrigins: limits.origins())
        settings.trustedProxies = try limits.proxies()
        settings.holdExtensions = extensions
        settings.maxHoldSeconds = maxHold
        settings.maxSeatStreams = streams
        settings.offerTTL = offerTTL
        settings.seatStreamHeartbeat = .milliseconds(Int64(heartbeat * 1000))
        settings.webhookAllowedHosts = WebhookOptions.allowedHosts()
        settings.webhookOnlyAllowedHosts = WebhookOptions.onlyAllowedHosts()
        let backend = Backend(
            store: runtime.events, documents: runtime.documents, settings: settings,
            repairs: ProjectionRepairs(client: runtime.client, logger: logger), clock: runtime.clock.now, logger: logger,
            webhookQueue: runtime.webhookQueue)
        let address = host ?? Environment.value("HOST") ?? "127.0.0.1"
        let listenPort = try port ?? Environment.number("PORT", Int.self) ?? 8080
        let app = Application(
            router: GatewayRouter.build(backend, logger: logger), server: try limits.server(),
            configuration: .init(address: .hostname(address, port: listenPort), serverName: "boxoffice"),
            logger: logger)
        let workers = withWorkers ? runtime.projectors() + [try runtime.expiryWorker(backend.sessionCommands), try runtime.webhookWorker()] : []
        // The feed after the server: graceful shutdown stops services in reverse order, and the feed ends
        // its streams so the server's open responses can finish.
        try await runtime.run([app, backend.seatFeed] + workers)
    }
}
