import Commands
import EventStore
import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import Testing

@testable import Projections

/// The projectors of one process share their reads of the log, and still see every append they were woken for.
@Suite("Shared log reads")
struct SharedLogReadsTests {
    let sessionTypes = SessionProjection().eventTypes
    let userTypes = UserProjection().eventTypes

    /// Counts the reads that reach PostgreSQL.
    final class ReadCount: Sendable {
        private let count = Mutex(0)
        func record() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// The store, counting the reads that reach PostgreSQL.
    func counting(_ events: PostgresEventStore) -> (InterceptingEventStore, ReadCount) {
        let reads = ReadCount()
        let counted = InterceptingEventStore(
            events,
            reorderReads: {
                reads.record()
                return $0
            })
        return (counted, reads)
    }

    func registration(_ id: String) throws -> StreamWrite {
        let event = UserEvent.registered(
            UserRegistered(userId: id, name: "U", email: "\(id)@example.test", tokenHash: "h", registeredAt: Date()))
        return StreamWrite(
            streamId: "user-\(id)", expected: .noStream,
            events: [NewEvent(type: event.typeName, data: try event.encodedData(), metadata: EventMetadata(correlationId: "t"))])
    }

    /// Waits until `count` events are below the log's horizon: a transaction another test holds open keeps
    /// later commits out of every gap-safe read, and these tests count reads, so none may come back short.
    func waitUntilVisible(_ count: Int, in events: PostgresEventStore) async throws {
        while try await events.readBatch(after: .start, limit: 100, types: nil).events.count < count {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func projectorsWokenTogetherShareOneReadAndEachGetsItsOwnTypes() async throws {
        let session = try await GASessionLog.start("s")
        let (counted, reads) = counting(session.events)
        let shared = SharedLogReads(events: counted, projections: [SessionProjection(), UserProjection()], limit: 100)
        _ = try await session.events.append([try registration("a")], idempotency: [])
        try await session.book("b1", qty: 1, hold: true)
        try await waitUntilVisible(3, in: session.events)

        let woken = ContinuousClock.now
        let sessions = try await shared.batch(after: .start, limit: 100, types: sessionTypes, freshAsOf: woken)
        let users = try await shared.batch(after: .start, limit: 100, types: userTypes, freshAsOf: woken)
        #expect(reads.value == 1, "the second projector woken by the same append reads nothing")
        #expect(sessions.batch.events.map(\.type) == ["SessionScheduled", "BookingPlaced"])
        #expect(users.batch.events.map(\.streamId) == ["user-a"])
        #expect(sessions.batch.through == users.batch.through)
        #expect(!sessions.more && !users.more)

        // Woken by a later append: a read made before it cannot answer, a new one is made and holds it.
        try await session.book("b2", qty: 1, hold: true)
        try await waitUntilVisible(4, in: session.events)
        let later = try await shared.batch(after: .start, limit: 100, types: sessionTypes, freshAsOf: .now)
        #expect(reads.value == 2, "the kept read is followed by one read begun after the wake")
        #expect(later.batch.events.count == 3)
    }

    @Test func aProjectorBehindFollowsTheKeptReadsInOneBatch() async throws {
        let session = try await GASessionLog.start("t")
        let (counted, reads) = counting(session.events)
        let shared = SharedLogReads(events: counted, projections: [SessionProjection(), KPIProjection()], limit: 100)
        let lagging = ContinuousClock.now
        // The fast projector reads three times as appends arrive.
        var ahead = Checkpoint.start
        for index in 1...3 {
            try await session.book("b\(index)", qty: 1, hold: true)
            try await waitUntilVisible(1 + index, in: session.events)
            ahead = try await shared.batch(after: ahead, limit: 100, types: sessionTypes, freshAsOf: .now).batch.through
        }
        #expect(reads.value == 3)
        let behind = try await shared.batch(after: .start, limit: 100, types: sessionTypes, freshAsOf: lagging)
        #expect(reads.value == 3, "the kept chain answered it")
        #expect(behind.batch.events.map(\.version) == [1, 2, 3, 4])
        #expect(behind.batch.through == ahead)

        // A limit smaller than the chain ends the batch early and says there is more.
        let small = SharedLogReads(events: counted, projections: [SessionProjection()], limit: 2)
        let first = try await small.batch(after: .start, limit: 2, types: sessionTypes, freshAsOf: lagging)
        #expect(first.batch.events.count == 2 && first.more)
    }

    /// Reads that find none of the projectors' types while the log moves on (events of other types) hold no
    /// events; they must not pile up in the chain.
    @Test func readsThatFindNoneOfTheTypesDoNotPileUp() async throws {
        let session = try await GASessionLog.start("u")
        let shared = SharedLogReads(events: session.events, projections: [HallProjection()], limit: 100)
        let halls = HallProjection().eventTypes
        var through = try await shared.batch(after: .start, limit: 100, types: halls, freshAsOf: .now).batch.through
        for index in 0..<80 {
            _ = try await session.events.append([try registration("r\(index)")], idempotency: [])
            try await waitUntilVisible(2 + index, in: session.events)
            let read = try await shared.batch(after: through, limit: 100, types: halls, freshAsOf: .now)
            #expect(read.batch.events.isEmpty && read.batch.through > through)
            through = read.batch.through
        }
        #expect(shared.keptSegments <= 64, "\(shared.keptSegments) segments kept")
    }

    /// Four projectors share reads while eight writers append to three sessions and register users; each
    /// read model ends equal to the fold of the log.
    @Test func liveProjectorsSharingReadsUnderConcurrentWritesEndEqualToTheFold() async throws {
        let (client, events) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
        let handler = CommandHandler<SessionDecider>(store: events)
        let metadata = EventMetadata(correlationId: "t")
        for session in ["p", "q", "r"] {
            _ = try await handler.execute(
                .schedule(
                    SessionScheduled(
                        sessionId: session, title: session, startsAt: nil, kind: .seated, hall: nil,
                        seatSections: [
                            SeatSection(id: "m", name: "M", price: 5, rows: (0..<4).map { SeatRow(row: "\(UnicodeScalar(65 + $0)!)", seats: 25) })
                        ],
                        gaSections: [])), on: "session-\(session)", metadata: metadata)
        }
        // A small batch, so reads fill up, chains form and batches end at the limit.
        let shared = SharedLogReads(events: events, projections: Projections.all, limit: 7)
        let runners = Projections.all.map {
            ProjectionRunner(
                projection: $0, events: events, documents: documents, client: client, logger: TestDatabase.logger,
                owner: "shared", batchSize: 7, pollInterval: .milliseconds(50), reads: shared)
        }
        let running = runners.map { runner in Task { try await runner.run() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<40 {
                        let seat = "\(UnicodeScalar(65 + index / 25)!)\(index % 25 + 1)"
                        let session = ["p", "q", "r"][(writer + index) % 3]
                        _ = try? await handler.execute(
                            .holdSeats(
                                HoldSeats(
                                    bookingId: "w\(writer)-\(index)", userId: "u\(writer)", seats: [seat], confirm: index.isMultiple(of: 2),
                                    holdTTL: 600)),
                            on: "session-\(session)", metadata: metadata)
                        if index.isMultiple(of: 10) { _ = try await events.append([try registration("w\(writer)-\(index)")], idempotency: []) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await ReadModelCheck.waitUntilCaughtUp(client: client, events: events, projections: Projections.all))
        for task in running { task.cancel() }
        let drift = try await ReadModelCheck.drift(client: client, events: events, projections: Projections.all)
        #expect(drift.isEmpty, "\(drift.prefix(5))")
        let counts = shared.counts
        print("SharedLogReadsTests: \(counts.reads) reads of the log answered \(counts.answers) projector batches")
    }
}
