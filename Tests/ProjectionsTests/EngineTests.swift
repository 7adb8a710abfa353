import Commands
import EventStore
import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import Testing

@testable import Projections

@Suite("Projection engine", .serialized)
struct EngineTests {
    func registration(_ id: String) throws -> NewEvent {
        let event = UserEvent.registered(
            UserRegistered(
                userId: id, name: "U \(id)", email: "\(id)@example.test",
                tokenHash: "h", registeredAt: Date()))
        return NewEvent(type: event.typeName, data: try event.encodedData(), metadata: EventMetadata(correlationId: "t"))
    }

    @Test func anEventCommittedLateWithALowerPositionIsProjected() async throws {
        let (client, events) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
        // Every batch the global reader delivers, to hold delivery to exactly once and in commit order.
        let deliveries = Deliveries()
        let reader = InterceptingEventStore(
            events,
            reorderReads: { batch in
                deliveries.record(batch)
                return batch
            })
        let stepper = ProjectionStepper(projection: UserProjection(), events: reader, documents: documents, owner: "test", batchSize: 100)
        let opened = AsyncStream.makeStream(of: Void.self)
        let release = AsyncStream.makeStream(of: Void.self)
        let early = try registration("early")
        let t1 = Task {
            try await client.withTransaction(logger: TestDatabase.logger) { connection in
                try await connection.query(
                    """
                    INSERT INTO events (stream_id, version, type, data, metadata)
                    VALUES ('user-early', 1, \(early.type), \(String(decoding: early.data, as: UTF8.self))::jsonb, '{"correlationId":"t"}')
                    """, logger: TestDatabase.logger)
                opened.continuation.yield()
                var wait = release.stream.makeAsyncIterator()
                await wait.next()
            }
        }
        var openedIterator = opened.stream.makeAsyncIterator()
        await openedIterator.next()
        _ = try await events.append(
            [StreamWrite(streamId: "user-late", expected: .noStream, events: [try registration("late")])],
            idempotency: [])

        var (checkpoint, applied) = try await stepper.catchUp(generation: 1, from: .start)
        #expect(applied == 0, "the later position must wait for the open transaction")
        #expect(try await documents.get(UserProjection.users, id: "late") == nil)

        release.continuation.yield()
        try await t1.value
        // Once committed, both become visible as soon as no older transaction anywhere in the cluster is open.
        let deadline = ContinuousClock.now + .seconds(20)
        var total = 0
        while total < 2 && ContinuousClock.now < deadline {
            (checkpoint, applied) = try await stepper.catchUp(generation: 1, from: checkpoint)
            total += applied
            if total < 2 { try await Task.sleep(for: .milliseconds(50)) }
        }
        // Read on once more: a redelivery would show here.
        _ = try await stepper.catchUp(generation: 1, from: checkpoint)
        #expect(total == 2)
        #expect(deliveries.streams == ["user-early", "user-late"], "each event delivered once, in commit order")
        #expect(try await documents.get(UserProjection.users, id: "early") != nil, "the lower position committed late is projected")
        #expect(try await documents.get(UserProjection.users, id: "late") != nil)
    }

    /// What a reader was handed, batch after batch.
    final class Deliveries: Sendable {
        private let delivered = Mutex<[String]>([])
        func record(_ batch: [StoredEvent]) { delivered.withLock { $0 += batch.map(\.streamId) } }
        var streams: [String] { delivered.withLock { $0 } }
    }

    @Test func redeliveredEventsChangeNothing() async throws {
        let log = try await GASessionLog.start("s")
        let (client, events, documents) = (log.client, log.events, log.documents)
        for index in 0..<3 { try await log.book("b\(index)", qty: 2) }
        let stepper = ProjectionStepper(projection: SessionProjection(), events: events, documents: documents, owner: "t", batchSize: 100)
        // Another test's open transaction anywhere in the cluster holds back what readers may see: retry until all ten
        // are in (the schedule, and each booking with its two tickets).
        let deadline = ContinuousClock.now + .seconds(20)
        while try await stepper.catchUp(generation: 1, from: .start).1 < 10 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        // At-least-once: the same events again, as after a crash between commit and checkpoint.
        try await stepper.catchUp(generation: 1, from: .start)
        let session = try #require(try await ReadModelQueries(documents: documents).session("s"))
        #expect(session.counts.booked == 6 && session.counts.available == 4)
        #expect(try await ReadModelCheck.drift(client: client, events: events, projections: [SessionProjection()]).isEmpty)
    }

    @Test(arguments: [SessionProjection() as any Projection, KPIProjection()])
    func aReadModelThatMissedEventsOfItsStreamGetsThemBeforeTheNextOne(_ projection: any Projection) async throws {
        let session = try await GASessionLog.start("g")
        let (client, events, documents) = (session.client, session.events, session.documents)
        for index in 0..<3 { try await session.book("b\(index)", qty: 2, hold: true) }
        let log = try await session.visible(4)
        try #require(log.count == 4)
        let repairs = ProjectionRepairs(client: client, logger: TestDatabase.logger)
        let stepper = ProjectionStepper(
            projection: projection, events: events, documents: documents, owner: "t", batchSize: 1,
            repairs: repairs)
        _ = try await stepper.step(generation: 1, from: .start)
        // The damage CI saw: the checkpoint moved past versions 2 and 3 while the documents stayed at 1.
        try await documents.commit([], projection: projection.name, generation: 1, checkpoint: log[2].checkpoint, owner: "t")
        let (_, applied) = try await stepper.catchUp(generation: 1, from: log[2].checkpoint)
        #expect(applied == 1)
        #expect(try await repairs.counts()[projection.name] == 1, "the repair is counted")
        let drift = try await ReadModelCheck.drift(client: client, events: events, projections: [projection], repairsExpected: true)
        #expect(drift.isEmpty, "\(drift.prefix(5))")

        // The same through a projector's document cache that missed a commit (one whose answer was lost):
        // its copy is at version 1 while the store and the checkpoint are at 3.
        let cached = ProjectionStepper(
            projection: projection, events: events, documents: documents, owner: "c", batchSize: 1,
            cache: DocumentCache())
        _ = try await cached.step(generation: 2, from: .start)
        let other = ProjectionStepper(projection: projection, events: events, documents: documents, owner: "o", batchSize: 2)
        _ = try await other.step(generation: 2, from: log[0].checkpoint)
        #expect(try await cached.catchUp(generation: 2, from: log[2].checkpoint).1 == 1)
        try await documents.activate(projection: projection.name, generation: 2)
        let cachedDrift = try await ReadModelCheck.drift(
            client: client, events: events, projections: [projection],
            repairsExpected: true)
        #expect(cachedDrift.isEmpty, "\(cachedDrift.prefix(5))")
    }

    @Test func aBatchWhoseStreamCameOutOfVersionOrderStillProjectsTheFold() async throws {
        let session = try await GASessionLog.start("o")
        let (client, events, documents) = (session.client, session.events, session.documents)
        for index in 0..<3 { try await session.book("o\(index)", qty: 1, hold: index == 0) }
        try await session.confirm("o0")
        let reversed = InterceptingEventStore(events, reorderReads: { $0.reversed() })
        // The schedule, three placements, a confirmation, and the three tickets of the confirmed bookings.
        _ = try await session.visible(8)
        for projection in [SessionProjection() as any Projection, KPIProjection()] {
            let stepper = ProjectionStepper(projection: projection, events: reversed, documents: documents, owner: "t", batchSize: 100)
            #expect(try await stepper.step(generation: 1, from: .start).1 == 8)
        }
        let drift = try await ReadModelCheck.drift(client: client, events: events, projections: [SessionProjection(), KPIProjection()])
        #expect(drift.isEmpty, "\(drift.prefix(5))")
    }

    @Test func aMissingBookingDocumentIsRebuiltFromItsStream() async throws {
        let session = try await GASessionLog.start("m")
        let (client, events, documents) = (session.client, session.events, session.documents)
        try await session.book("held", qty: 2, hold: true)
        let log = try await session.visible(2)
        try #require(log.count == 2)
        for projection in [SessionProjection() as any Projection, KPIProjection()] {
            let stepper = ProjectionStepper(projection: projection, events: events, documents: documents, owner: "t", batchSize: 10)
            _ = try await stepper.step(generation: 1, from: .start)
        }
        // The damage CI saw: the booking's documents gone while the session's say the booking was placed.
        try await client.query("DELETE FROM documents WHERE id = 'held'", logger: TestDatabase.logger)
        try await session.confirm("held")
        for projection in [SessionProjection() as any Projection, KPIProjection()] {
            let stepper = ProjectionStepper(projection: projection, events: events, documents: documents, owner: "t", batchSize: 10)
            let until = ContinuousClock.now + .seconds(20)
            while try await stepper.step(generation: 1, from: log[1].checkpoint).1 < 1 && ContinuousClock.now < until {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let drift = try await ReadModelCheck.drift(client: client, events: events, projections: [SessionProjection(), KPIProjection()])
        #expect(drift.isEmpty, "\(drift.prefix(5))")
    }

    @Test func rebuildWhileCommandsKeepArrivingEndsEqualToTheFold() async throws {
        let (client, events) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
        let handler = CommandHandler<SessionDecider>(store: events)
        let metadata = EventMetadata(correlationId: "t")
        _ = try await handler.execute(
            .schedule(
                SessionScheduled(
                    sessionId: "r", title: "R", startsAt: nil, kind: .seated, hall: nil,
                    seatSections: [
                        SeatSection(id: "m", name: "M", price: 5, rows: (0..<20).map { SeatRow(row: String(UnicodeScalar(65 + $0)!), seats: 50) })
                    ],
                    gaSections: [])), on: "session-r", metadata: metadata)
        let live = ProjectionRunner(
            projection: SessionProjection(), events: events, documents: documents, client: client,
            logger: TestDatabase.logger, owner: "live", batchSize: 50, pollInterval: .milliseconds(20))
        let runner = Task { try await live.run() }
        let started = AsyncStream.makeStream(of: Void.self)
        let writer = Task {
            defer { started.continuation.finish() }
            for index in 0..<400 {
                if index == 20 { started.continuation.yield() }
                let seat = "\(String(UnicodeScalar(65 + index / 50)!))\(index % 50 + 1)"
                _ = try await handler.execute(
                    .holdSeats(
                        HoldSeats(
                            bookingId: "b\(index)", userId: "u", seats: [seat],
                            confirm: index.isMultiple(of: 3), holdTTL: 600)),
                    on: "session-r", metadata: metadata)
                if index.isMultiple(of: 5) {
                    _ = try await handler.execute(.cancel(bookingId: "b\(index)", by: .admin), on: "session-r", metadata: metadata)
                }
            }
        }
        // The rebuild starts once commands are provably arriving (20 in the log, 380 to come), not after a guess.
        var startedIterator = started.stream.makeAsyncIterator()
        await startedIterator.next()
        let rebuilt = try await ProjectionRebuild.run(SessionProjection(), events: events, documents: documents, owner: "rebuild", batchSize: 100)
        try await writer.value
        #expect(rebuilt.generation == 2)
        #expect(try await ReadModelCheck.waitUntilCaughtUp(client: client, events: events, projections: [SessionProjection()]))
        runner.cancel()
        #expect(try await documents.activeGeneration(projection: "sessions") == 2)
        let drift = try await ReadModelCheck.drift(client: client, events: events, projections: [SessionProjection()])
        #expect(drift.isEmpty, "\(drift.prefix(5))")
    }
}

/// Documents a new booking creates are not looked up; a redelivered placement keeps the stored booking.
@Suite("Documents an event creates")
struct CreatedDocumentTests {
    @Test func aBatchOfNewBookingsOnCachedSessionsReadsNoDocumentAndRedeliveryKeepsTheStoredOnes() async throws {
        let session = try await GASessionLog.start("c")
        let (client, events) = (session.client, session.events)
        let documents = LoadCountingStore(session.documents)
        let projections: [any Projection] = [SessionProjection(), KPIProjection()]
        let steppers = projections.map {
            ProjectionStepper(projection: $0, events: events, documents: documents, owner: "t", batchSize: 100, cache: DocumentCache())
        }
        _ = try await session.visible(1)
        for stepper in steppers { _ = try await stepper.step(generation: 1, from: .start) }
        let scheduled = documents.loads.withLock { $0 }

        for index in 0..<3 { try await session.book("c\(index)", qty: 1, hold: true) }
        let log = try await session.visible(4)
        for stepper in steppers { #expect(try await stepper.step(generation: 1, from: log[0].checkpoint).1 == 3) }
        #expect(documents.loads.withLock { $0 } == scheduled, "the sessions are cached and the bookings are new: nothing to read")

        // Redelivery from before the placements, without a cache, after one booking moved on: the stored,
        // newer booking stays, and the counts are not applied twice.
        try await session.confirm("c0")
        _ = try await session.visible(6)
        for stepper in steppers { _ = try await stepper.catchUp(generation: 1, from: log[3].checkpoint) }
        for projection in projections {
            let fresh = ProjectionStepper(projection: projection, events: events, documents: documents, owner: "r", batchSize: 100)
            // Three placements, the confirmation and its ticket.
            #expect(try await fresh.step(generation: 1, from: log[0].checkpoint).1 == 5)
        }
        let drift = try await ReadModelCheck.drift(client: client, events: events, projections: projections)
        #expect(drift.isEmpty, "\(drift.prefix(5))")
    }
}

/// A document store that counts the keys projectors load.
private final class LoadCountingStore: DocumentStore {
    let inner: any DocumentStore
    let loads = Mutex(0)
    init(_ inner: any DocumentStore) { self.inner = inner }

    var kind: String { inner.kind }
    func documents(_ keys: Set<DocumentKey>, generation: Int) async throws -> [DocumentKey: StoredDocument] {
        loads.withLock { $0 += keys.count }
        return try await inner.documents(keys, generation: generation)
    }
    func commit(_ writes: [DocumentWrite], projection: String, generation: Int, checkpoint: Checkpoint, owner: String) async throws {
        try await inner.commit(writes, projection: projection, generation: generation, checkpoint: checkpoint, owner: owner)
    }
    func checkpoint(projection: String, generation: Int) async throws -> ProjectionPosition {
        try await inner.checkpoint(projection: projection, generation: generation)
    }
    func activeGeneration(projection: String) async throws -> Int { try await inner.activeGeneration(projection: projection) }
    func activate(projection: String, generation: Int) async throws { try await inner.activate(projection: projection, generation: generation) }
    func drop(projection: String, generation: Int) async throws { try await inner.drop(projection: projection, generation: generation) }
    func get(_ collection: Collection, id: String) async throws -> StoredDocument? { try await inner.get(collection, id: id) }
    func find(_ query: DocumentQuery) async throws -> [StoredDocument] { try await inner.find(query) }
    func appliedPosition(projection: String) async throws -> ProjectionPosition { try await inner.appliedPosition(projection: projection) }
}
