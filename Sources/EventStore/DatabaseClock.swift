import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The database's clock as this process reads it: local time plus the offset to PostgreSQL's
/// `clock_timestamp()`, measured at start and refreshed periodically.
///
/// Hold deadlines are decided in several processes (gateways, expiry workers); each deciding on its own
/// clock would expire, take over or confirm holds early or late by its skew. With one reference clock they
/// agree to within the measurement's error (half a round trip).
public final class DatabaseClock: Service, Sendable {
    private let client: PostgresClient
    private let local: @Sendable () -> Date
    private let logger: Logger
    private let refresh: Duration
    /// Database time minus local time, in seconds; zero until first measured.
    private let offset = Mutex<TimeInterval>(0)

    public init(client: PostgresClient, logger: Logger, refresh: Duration = .seconds(30), local: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.logger = logger
        self.refresh = refresh
        self.local = local
    }

    /// The database's time now, as estimated from the local clock and the last measured offset.
    @Sendable public func now() -> Date {
        local().addingTimeInterval(offset.withLock { $0 })
    }

    /// Reads `clock_timestamp()` and takes the offset from the middle of the round trip.
    public func measure() async throws {
        let sent = local()
        var database: Date?
        for try await value in try await client.query("SELECT clock_timestamp()", logger: logger).decode(Date.self) {
            database = value
        }
        let received = local()
        guard let database else { return }
        let measured = database.timeIntervalSince(sent.addingTimeInterval(received.timeIntervalSince(sent) / 2))
        let previous = offset.withLock { old in
            defer { old = measured }
            return old
        }
        if abs(measured - previous) > 1 {
            logger.notice("this process's clock differs from the database's", metadata: ["clock.offsetSeconds": "\(measured)"])
        }
    }

    /// Keeps the offset current (clocks drift, and get stepped by NTP).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.measure()
                } catch {
                    self.logger.warning("could not read the database's clock; keeping the last offset", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: self.refresh)
            }
        }
    }
}
