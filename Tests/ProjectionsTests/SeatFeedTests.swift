import Commands
import EventStore
import Foundation
import Logging
import Testing

@testable import Projections

/// Issue 17, item 1: the live seat feed's delivery, replay window and slow-subscriber bound, driven step by
/// step over the in-memory store (the HTTP stream is tested end to end in `SeatStreamTests`).
@Suite("Live seat feed")
struct SeatFeedTests {
    typealias Handler = CommandHandler<SessionDecider>

    let store = InMemoryEventStore()
    let handler: Handler
    let metadata = EventMetadata(correlationId: "feed-test")

    init() { handler = Handler(store: store) }

    func feed(buffer: Int = 256, replay: Int = 512, max: Int = 10) -> SeatFeed {
        var limits = SeatFeed.Limits(maxSubscribers: max)
        limits.buffer = buffer
        limits.replayWindow = replay
        return SeatFeed(store: store, sessions: handler, limits: limits, logger: Logger(label: "test"))
    }

    func schedule(_ id: String = "s1") async throws {
        let scheduled = SessionScheduled(
            sessionId: id, title: "Feed", startsAt: nil, kind: .seated, hall: HallRef(id: "h1", name: "Hall"),
            seatSections: [SeatSection(id: "main", name: "Main", price: 10, rows: [SeatRow(row: "A", seats: 40)])], gaSections: [])
        _ = try await handler.execute(.schedule(scheduled), on: Streams.session(id), metadata: metadata)
    }

    @discardableResult
    func hold(_ seat: String, in id: String = "s1") async throws -> Int64 {
        let result = try await handler.execute(
            .holdSeats(HoldSeats(bookingId: UUID().uuidString, userId: "u1", seats: [seat], confirm: false, holdTTL: 300)),
            on: Streams.session(id), metadata: metadata)
        return result.position
    }

    func json(_ message: FeedMessage?) -> [String: Any] {
        message.flatMap { try? JSONSerialization.jsonObject(with: $0.data) as? [String: Any] } ?? [:]
    }

    @Test func aSubscriberGetsTheMapThenEveryChangeOfItsSessionInOrder() async throws {
        try await schedule()
        try await schedule("other")
        let feed = feed()
        let subscription = try await feed.subscribe("s1", lastEventId: nil)
        var messages = subscription.messages.makeAsyncIterator()
        let map = await messages.next()
        #expect(map?.event == "map" && (json(map)["rows"] as? [[String: Any]])?.first?["seats"] as? String == String(repeating: "A", count: 40))
        let first = try await hold("A1")
        try await hold("A1", in: "other")
        let second = try await hold("A2")
        while try await feed.step() {}
        let one = await messages.next()
        let two = await messages.next()
        #expect(one?.event == "seats" && one?.id == first && two?.id == second)
        #expect((json(one)["seats"] as? [[String: Any]])?.map { $0["id"] as? String } == ["A1"])
        #expect((json(two)["seats"] as? [[String: Any]])?.first?["status"] as? String == "HELD")
        #expect((json(two)["summary"] as? [String: Any])?["held"] as? Int == 2)
        #expect(feed.figures.subscribers == 1 && feed.figures.watchedSessions == 1)
        await #expect(throws: DomainError.notFound("session")) { try await feed.subscribe("nosuch", lastEventId: nil) }
    }

    @Test func aReconnectGetsExactlyWhatItMissedOrAFreshMapWhenThatIsTooOld() async throws {
        try await schedule()
        let feed = feed(replay: 4)
        let keeper = try await feed.subscribe("s1", lastEventId: nil)  // keeps the session watched
        var positions: [Int64] = []
        for seat in 1...6 { positions.append(try await hold("A\(seat)")) }
        while try await feed.step() {}
        _ = keeper
        // Missed the last three: exactly those, no map.
        let back = try await feed.subscribe("s1", lastEventId: positions[2])
        var replayed: [FeedMessage] = []
        for await message in back.messages {
            replayed.append(message)
            if replayed.count == 3 { break }
        }
        #expect(replayed.map(\.id) == Array(positions[3...]) && replayed.allSatisfy { $0.event == "seats" })
        // Older than the window of four: a fresh map at the head.
        var late = try await feed.subscribe("s1", lastEventId: positions[0]).messages.makeAsyncIterator()
        let map = await late.next()
        #expect(map?.event == "map" && map?.id == positions[5])
    }

    @Test func aGAEventStreamsItsSectionsRemaining() async throws {
        let event = SessionScheduled(
            sessionId: "g1", title: "Gig", startsAt: nil, kind: .general, hall: nil, seatSections: [],
            gaSections: [GASection(id: "floor", name: "Floor", price: 20, capacity: 10)])
        _ = try await handler.execute(.schedule(event), on: Streams.session("g1"), metadata: metadata)
        let feed = feed()
        var messages = try await feed.subscribe("g1", lastEventId: nil).messages.makeAsyncIterator()
        #expect((json(await messages.next())["sections"] as? [[String: Any]])?.first?["remaining"] as? Int == 10)
        _ = try await handler.execute(
            .bookQuantity(BookQuantity(bookingId: "b1", userId: "u1", sectionId: "floor", qty: 3, hold: false, holdTTL: 300)),
            on: Streams.session("g1"), metadata: metadata)
        while try await feed.step() {}
        let change = json(await messages.next())
        #expect((change["sections"] as? [[String: Any]])?.first?["remaining"] as? Int == 7 && (change["seats"] as? [Any])?.isEmpty == true)
    }

    @Test func subscribersPastTheLimitAreRefused() async throws {
        try await schedule()
        let feed = feed(max: 1)
        let one = try await feed.subscribe("s1", lastEventId: nil)
        await #expect(throws: SeatFeedFull.self) { try await feed.subscribe("s1", lastEventId: nil) }
        _ = one
    }

    @Test func aSubscriberThatStopsReadingIsDroppedNotBufferedWithoutEnd() async throws {
        try await schedule()
        let feed = feed(buffer: 5)
        let reader = try await feed.subscribe("s1", lastEventId: nil)
        let idle = try await feed.subscribe("s1", lastEventId: nil)
        var reading = reader.messages.makeAsyncIterator()
        _ = await reading.next()
        for seat in 1...12 {
            try await hold("A\(seat)")
            while try await feed.step() {}
            _ = await reading.next()
        }
        #expect(feed.figures.dropped == 1 && feed.figures.subscribers == 1)
        // The idle one keeps what its buffer held, then its stream ends: its client reconnects.
        var received = 0
        for await _ in idle.messages { received += 1 }
        #expect(received == 5, "the map and the four changes that fitted")
    }
}
