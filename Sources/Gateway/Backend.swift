import Commands
import EventStore
import Foundation
import Projections

/// Settings of the gateway that shape command decisions.
public struct GatewaySettings: Sendable {
    public var adminToken: String
    /// Seconds a hold lasts.
    public var holdTTL: TimeInterval
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
    /// Most entries each of the token cache and the booking locator keeps.
    public var cacheCapacity = GatewaySettings.defaultCacheCapacity
    /// Enough for every active user of a big on-sale; a few MiB per cache.
    public static let defaultCacheCapacity = 50_000

    public init(adminToken: String, holdTTL: TimeInterval = 300, maxSeatsPerBooking: Int = 10, gatewayId: String,
                requestTimeout: Duration = .seconds(5), rateLimit: RateLimit = .standard, corsOrigins: [String] = []) {
        self.adminToken = adminToken
        self.holdTTL = holdTTL
        self.maxSeatsPerBooking = maxSeatsPerBooking
        self.gatewayId = gatewayId
        self.requestTimeout = requestTimeout
        self.rateLimit = rateLimit
        self.corsOrigins = corsOrigins
    }
}

/// Everything the routes act through: one command handler per aggregate type, accounts, look-ups.
public final class Backend: Sendable {
    let store: any EventStore
    let readModels: ReadModelQueries
    let settings: GatewaySettings
    let sessions: CommandHandler<SessionDecider>
    let halls: CommandHandler<HallDecider>
    let accounts: Accounts
    let bookings: BookingLocator
    let auth: Authenticator
    let clock: @Sendable () -> Date
    /// Seat maps and GA remaining of the sessions this gateway serves, kept current by `sessions`.
    let live: LiveSessions
    /// Requests waiting for a read model (`minPosition`, a lookup that missed), bounded.
    let readWaits = ReadWaits()
    /// Read-model repairs of every projector (nil: not reported, as in tests without a database client).
    let repairs: ProjectionRepairs?
    /// Request figures of this gateway, for `/metrics` and `/kpis`.
    public let metrics = RequestMetrics()

    public init(store: any EventStore, documents: any DocumentStore, settings: GatewaySettings, policy: RetryPolicy = RetryPolicy(),
                repairs: ProjectionRepairs? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.repairs = repairs
        self.readModels = ReadModelQueries(documents: documents)
        self.settings = settings
        self.clock = clock
        // A stream stuck on a dead connection must recover within one request time-out, early enough to
        // read the log and say whether a cut-off append was recorded before the request itself times out.
        var policy = policy
        policy.databaseTimeout = min(policy.databaseTimeout, settings.requestTimeout * 0.6)
        let live = LiveSessions()
        self.live = live
        self.sessions = CommandHandler(store: store, policy: policy, clock: clock, onCommitted: live.committed)
        self.halls = CommandHandler(store: store, policy: policy, clock: clock)
        self.accounts = Accounts(store: store, cacheCapacity: settings.cacheCapacity)
        self.bookings = BookingLocator(store: store, cacheCapacity: settings.cacheCapacity)
        self.auth = Authenticator(adminToken: settings.adminToken, accounts: accounts)
    }

    /// The session command handler, for in-process workers such as hold expiry.
    public var sessionCommands: CommandHandler<SessionDecider> { sessions }
}
