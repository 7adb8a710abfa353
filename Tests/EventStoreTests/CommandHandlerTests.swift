import Commands
import EventStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// The load–decide–append–retry loop against a real PostgreSQL, with two handlers standing in for
/// two processes that share the database.
@Suite("Command handler", .serialized)
struct CommandHandlerTests {
    typealias Handler = CommandHandler<SessionDecider>

    func metadata() -> EventMetadata { EventMetadata(correlationId: UUID().uuidString, gatewayId: "tests") }

    func schedule(_ handler: Handler, capacity: Int) async throws -> String {
        let id = UUID().uuidString.lowercased()
        _ = try await handler.execute(
            .schedule(
                SessionScheduled(
                    sessionId: id, title: "Flash", startsAt: nil, kind: .general, hall: nil, seatSections: [],
                    gaSections: [GASection(id: "floor", name: "Floor", price: 10, capacity: capacity)])),
            on: "session-\(id)", metadata: metadata())
        return id
    }

    func book(
        _ handler: CommandHandler<SessionDecider>, _ id: String
    ) async
        -> Result<CommandResult<SessionDecider>, any Error>
    {
        await attempt {
            try await handler.execute(
                .bookQuantity(
                    BookQuantity(
                        bookingId: UUID().uuidString, userId: "u", sectionId: "floor", qty: 1, hold: false, holdTTL: 300)),
                on: "session-\(id)", metadata: metadata())
        }
    }

    @Test func twoProcessesNeverOversellAndVersionsStayContiguous() async throws {
        let store = try await TestDatabase.store()
        let one = Handler(store: store)
        let two = Handler(store: PostgresEventStore(client: TestDatabase.makeClient(), logger: TestDatabase.logger))
        let id = try await schedule(one, capacity: 30)
        let results = await withTaskGroup(of: Result<CommandResult<SessionDecider>, any Error>.self) { group in
            for index in 0..<120 { group.addTask { await book(index.isMultiple(of: 2) ? one : two, id) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let successes = results.filter { if case .success = $0 { true } else { false } }.count
        let refusals = results.filter { if case .failure(DomainError.insufficientCapacity(0)) = $0 { true } else { false } }.count
        #expect(successes == 30)
        #expect(refusals == 90)

        let events = try await store.readStream("session-\(id)", after: 0)
        #expect(events.map(\.version) == Array(1...events.count))
        let state = SessionDecider.fold(try events.compactMap { try SessionEvent.decode(type: $0.type, data: $0.data) })
        #expect(state.gaTaken["floor"] == 30)
        #expect(state.bookings.count == 30)
    }

    @Test func queuedCommandsShareAppendsAndEachGetsItsOwnPosition() async throws {
        let store = try await TestDatabase.store()
        let handler = Handler(store: store)
        let id = try await schedule(handler, capacity: 500)
        let results = await withTaskGroup(of: Result<CommandResult<SessionDecider>, any Error>.self) { group in
            for _ in 0..<200 { group.addTask { await book(handler, id) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let positions = results.compactMap { try? $0.get().position }
        #expect(positions.count == 200)
        #expect(Set(positions).count == 200, "every booking reports the position of its own event")
        let events = try await store.readStream("session-\(id)", after: 0)
        #expect(events.count == 401, "the schedule, and each booking with its ticket")
        #expect(Set(events.map(\.metadata.correlationId)).count == 201, "each event keeps its own command's metadata")
    }

    @Test func readingTheStateWhileAnAppendIsAcknowledgedNeverCountsAnEventTwice() async throws {
        // Every append is acknowledged 100 ms after PostgreSQL committed it, and says when it committed.
        let committed = AsyncStream.makeStream(of: Void.self)
        let store = InterceptingEventStore(
            try await TestDatabase.store(),
            afterAppend: {
                committed.continuation.yield()
                try await Task.sleep(for: .milliseconds(100))
            })
        let handler = CommandHandler<SessionDecider>(store: store)
        let id = try await schedule(CommandHandler(store: store.inner), capacity: 100)
        var commits = committed.stream.makeAsyncIterator()
        for _ in 0..<10 {
            // The state read re-enters the stream's actor after the append committed, before it is acknowledged:
            // it waits for the commit itself rather than guessing how long the append takes.
            async let booked = book(handler, id)
            await commits.next()
            _ = try await handler.state(of: "session-\(id)")
            _ = try await booked.get()
        }
        let events = try await store.readStream("session-\(id)", after: 0)
        #expect(events.map(\.version) == Array(1...21), "no version gap: the schedule, ten bookings and their tickets")
        let cached = try await handler.state(of: "session-\(id)")
        #expect(cached.version == 21 && cached.state.gaTaken["floor"] == 10)
    }

    @Test func readersOfOneStreamShareReadsAndStillSeeEveryEarlierCommit() async throws {
        // Each stream read is held for 100 ms after it read, so that readers pile up behind it.
        let reads = Mutex(0)
        let store = InterceptingEventStore(
            try await TestDatabase.store(),
            afterStreamRead: {
                reads.withLock { $0 += 1 }
                try? await Task.sleep(for: .milliseconds(100))
            })
        let handler = Handler(store: store)
        let other = Handler(store: store.inner)
        let id = try await schedule(other, capacity: 100)
        let stream = "session-\(id)"
        _ = try await handler.latest(of: stream)

        let before = reads.withLock { $0 }
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { try await handler.latest(of: stream).version } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(versions.allSatisfy { $0 == 1 })
        let shared = reads.withLock { $0 } - before
        #expect(shared <= 3, "50 readers at once made \(shared) reads: one runs, the others share the next")

        // A reader that arrives while a read is held, after another process committed, sees that commit:
        // it does not take the answer of the read that began before it.
        async let first = handler.latest(of: stream)
        let started = reads.withLock { $0 }
        while reads.withLock({ $0 }) == started { try await Task.sleep(for: .milliseconds(1)) }
        _ = try await book(other, id).get()
        let second = try await handler.latest(of: stream)
        #expect(try await first.version == 1)
        #expect(second.version == 3, "the commit made before the second reader arrived (a booking and its ticket) is in its answer")
    }

    @Test func aRefusalOnAStaleCacheIsCheckedAgainstTheLog() async throws {
        let store = try await TestDatabase.store()
        let one = Handler(store: store)
        let two = Handler(store: store)
        let id = try await schedule(one, capacity: 1)
        let first = try await one.execute(
            .bookQuantity(
                BookQuantity(
                    bookingId: "b1", userId: "u", sectionId: "floor", qty: 1, hold: false, holdTTL: 300)), on: "session-\(id)", metadata: metadata())
        #expect(first.outcome.remaining == 0)
        // `two` loads the full section, then `one` frees it; `two` must not refuse from its stale cache.
        #expect(try await two.state(of: "session-\(id)").state.gaTaken["floor"] == 1)
        _ = try await one.execute(.cancel(bookingId: "b1", by: .admin), on: "session-\(id)", metadata: metadata())
        let retry = try await two.execute(
            .bookQuantity(
                BookQuantity(
                    bookingId: "b2", userId: "u", sectionId: "floor", qty: 1, hold: false, holdTTL: 300)), on: "session-\(id)", metadata: metadata())
        #expect(retry.outcome.booking?.status == .confirmed)
    }

    @Test func theStreamCacheStaysBoundedAndEvictedStreamsReloadFromTheLog() async throws {
        let store = try await TestDatabase.store()
        let handler = Handler(store: store, cacheLimit: 3)
        var ids: [String] = []
        for _ in 0..<8 { ids.append(try await schedule(handler, capacity: 5)) }
        #expect(handler.cachedStreams <= 3)
        // The first session was evicted long ago: its state comes back from the log, not from memory.
        let first = try await handler.execute(
            .bookQuantity(
                BookQuantity(
                    bookingId: "evicted", userId: "u", sectionId: "floor", qty: 5, hold: false, holdTTL: 60)),
            on: "session-\(ids[0])", metadata: metadata())
        #expect(first.outcome.remaining == 0)
        await #expect(throws: DomainError.insufficientCapacity(remaining: 0)) {
            try await handler.execute(
                .bookQuantity(
                    BookQuantity(
                        bookingId: "again", userId: "u", sectionId: "floor", qty: 1, hold: false, holdTTL: 60)),
                on: "session-\(ids[0])", metadata: metadata())
        }
        #expect(handler.cachedStreams <= 3)
    }

    @Test func migrationsApplyOnceUnderConcurrentStarts() async throws {
        _ = try await TestDatabase.store()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await Migrations.apply(TestDatabase.makeClient(), logger: TestDatabase.logger) } }
            try await group.waitForAll()
        }
        let rows = try await TestDatabase.client.query("SELECT version, count(*)::int8 FROM schema_migrations GROUP BY version ORDER BY version")
        var counts: [Int: Int] = [:]
        for try await (version, count) in rows.decode((Int, Int).self) { counts[version] = count }
        #expect(counts == Dictionary(uniqueKeysWithValues: (1...11).map { ($0, 1) }), "every migration applied exactly once")
    }
}
