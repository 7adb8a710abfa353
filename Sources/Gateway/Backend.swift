import Commands
import EventStore
import Foundation
import Logging
import Projections
import Webhooks

/// Settings of the gateway that shape command decisions.
public struct GatewaySettings: Sendable {
    public var adminToken: String
    /// Seconds a hold lasts.
    public var holdTTL: TimeInterval
    /// How many times a holder may extend a hold by `holdTTL` (`POST /bookings/:id/extend`).
    public var holdExtensions = 1
    /// No hold lasts longer than this from its placement, extensions included.
    public var maxHoldSeconds: TimeInterval = 900
    public var maxSeatsPerBooking: Int
    /// Identifies this process in event metadata.
    public var gatewayId: String
    /// Longest a request may take before it is answered 503 (the database being unreachable, say).
    public var requestTimeout: Duration
    /// Requests per user (per client address without a valid token); the admin token is exempt.
    public var rateLimit: RateLimit
    /// Origins allowed by CORS; empty: same-origin only.
    public var corsOrigins: [String]
    /// Proxies whose `X-Forwarded-For` names the client address the rate limit counts against.
    public var trustedProxies = TrustedProxies()
    /// Longest a read waits for its read model (`minPosition`, a look-up by id that missed).
    public var readWaitLimit: Duration = .seconds(2)
    /// How long places offered to a waiter are held for them (`WAITLIST_OFFER_SECONDS`).
    public var offerTTL: TimeInterval = 600
    /// Live seat-map subscribers (`GET /sessions/:id/seats/stream`) one process serves at most.
    public var maxSeatStreams = 10_000
    /// How often a live seat-map stream gets a heartbeat.
    public var seatStreamHeartbeat: Duration = .seconds(15)
    /// Most entries each of the token cache and the booking locator keeps.
    public var cacheCapacity = GatewaySettings.defaultCacheCapacity
    /// Enough for every active user of a big on-sale; a few MiB per cache.
    public static let defaultCacheCapacity = 50_000
    /// Hosts webhooks may target even when private or loopback (`WEBHOOK_ALLOWED_HOSTS`).
    public var webhookAllowedHosts: [String] = []
    /// Whether only those hosts may be targets, public ones included (`WEBHOOK_ONLY_ALLOWED_HOSTS`).
    public var webhookOnlyAllowedHosts = false

    public init(
        adminToken: String, holdTTL: TimeInterval = 300, maxSeatsPerBooking: Int = 10, gatewayId: String,
        requestTimeout: Duration = .seconds(5), rateLimit: RateLimit = .standard, corsOrigins: [String] = []
    ) {
        self.adminToken = adminToken
        self.holdTTL = holdTTL
        self.maxSeatsPerBooking = maxSeatsPerBooking
        self.gatewayId = gatewayId
        self.requestTimeout = requestTimeout
        self.rateLimit = rateLimit
        self.corsOrigins = corsOrigins
    }
}

/// The gateway's composition root: builds each service once from the stores and settings. Routes get
/// only the service they act through (see `GatewayRouter.routes`), never this.
public final class Backend: Sendable {
    let settings: GatewaySettings
    /// The clock commands and registrations are stamped with (the database's, in `serve`).
    let clock: @Sendable () -> Date
    let auth: Authenticator
    let accounts: Accounts
    let intake: CommandIntake
    let bookings: BookingService
    let tickets: TicketService
    let catalogue: CatalogueService
    let reads: Reads
    let monitoring: Monitoring
    let webhooks: WebhookService
    /// The session command handler, for in-process workers such as hold expiry.
    public let sessionCommands: CommandHandler<SessionDecider>
    /// Request figures of this gateway, for `/metrics` and `/kpis`.
    public let metrics = RequestMetrics()
    /// Live seat maps pushed to subscribers; a service to run beside the HTTP server (it follows the log).
    public let seatFeed: SeatFeed

    public init(
        store: any EventStore, documents: any DocumentStore, settings: GatewaySettings, policy: RetryPolicy = RetryPolicy(),
        repairs: ProjectionRepairs? = nil, clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "boxoffice"), webhookQueue: (any WebhookQueue)? = nil
    ) {
        self.settings = settings
        self.clock = clock
        // A stream stuck on a dead connection must recover within one request time-out, early enough to
        // read the log and say whether a cut-off append was recorded before the request itself times out.
        var policy = policy
        policy.databaseTimeout = min(policy.databaseTimeout, settings.requestTimeout * 0.6)
        let live = LiveSessions()
        let sessions = CommandHandler<SessionDecider>(store: store, policy: policy, clock: clock, onCommitted: live.committed)
        let halls = CommandHandler<HallDecider>(store: store, policy: policy, clock: clock)
        sessionCommands = sessions
        accounts = Accounts(store: store, cacheCapacity: settings.cacheCapacity)
        auth = Authenticator(adminToken: settings.adminToken, accounts: accounts)
        intake = CommandIntake(auth: auth, gatewayId: settings.gatewayId, store: store)
        bookings = BookingService(
            sessions: sessions, locator: BookingLocator(store: store, cacheCapacity: settings.cacheCapacity),
            holdTTL: settings.holdTTL, maxSeatsPerBooking: settings.maxSeatsPerBooking,
            extensions: HoldExtensionRules(ttl: settings.holdTTL, maxExtensions: settings.holdExtensions, maxHold: settings.maxHoldSeconds))
        catalogue = CatalogueService(halls: halls, sessions: sessions)
        tickets = TicketService(
            sessions: sessions, locator: bookings.locator, secrets: TicketSecrets(store: store), store: store, window: .standard)
        var feedLimits = SeatFeed.Limits(maxSubscribers: settings.maxSeatStreams)
        feedLimits.heartbeat = settings.seatStreamHeartbeat
        seatFeed = SeatFeed(store: store, sessions: sessions, limits: feedLimits, logger: logger)
        reads = Reads(
            store: store, models: ReadModelQueries(documents: documents), sessions: sessions, live: live,
            feed: seatFeed, waits: ReadWaits(), waitLimit: settings.readWaitLimit, repairs: repairs)
        webhooks = WebhookService(
            store: store, queue: webhookQueue,
            targets: WebhookTargets(allowedHosts: settings.webhookAllowedHosts, onlyAllowed: settings.webhookOnlyAllowedHosts))
        monitoring = Monitoring(
            reads: reads, metrics: metrics, commands: sessions.statistics, gatewayId: settings.gatewayId,
            webhooks: webhookQueue)
    }
}
