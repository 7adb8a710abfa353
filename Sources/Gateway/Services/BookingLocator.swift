import Commands
import EventStore
import Foundation
import Synchronization

/// Finds the session stream a booking lives in.
/// Bounded: a forgotten booking is found again in the log, so the cache only saves look-ups.
final class BookingLocator: Sendable {
    let store: any EventStore
    private let cache: Mutex<LRUCache<String, String>>

    init(store: any EventStore, cacheCapacity: Int = GatewaySettings.defaultCacheCapacity) {
        self.store = store
        self.cache = Mutex(LRUCache(capacity: cacheCapacity))
    }

    func remember(bookingId: String, sessionId: String) {
        cache.withLock { $0.set(bookingId, sessionId) }
    }

    /// Bookings held in memory, for the bounds test.
    var cachedBookings: Int { cache.withLock { $0.count } }

    /// The session id of a booking; throws not found for an unknown booking.
    func sessionId(of bookingId: String) async throws -> String {
        if let cached = cache.withLock({ $0.get(bookingId) }) { return cached }
        guard Identifiers.isSane(bookingId), let event = try await store.lookup(.bookingId, bookingId) else {
            throw DomainError.notFound("booking")
        }
        let sessionId = Streams.sessionId(ofStream: event.streamId)
        remember(bookingId: bookingId, sessionId: sessionId)
        return sessionId
    }
}
