import Commands
import EventStore
import Foundation
import Testing

@testable import Projections

/// MongoDB writes a commit's documents one collection after another with no transaction around them,
/// so a crash can leave any prefix of them written and the checkpoint unmoved. Redelivering the batch
/// must then end exactly where the fold of the log says, with nothing applied twice.
@Suite("DocumentStore contract: a commit cut short")
struct PartialCommitTests {
    static let metadata = EventMetadata(correlationId: "partial-commit")

    /// A seated session and a GA event: batch A places holds, batch B books, confirms and cancels.
    static func history(_ id: String) async throws -> (a: [StoredEvent], b: [StoredEvent]) {
        let events = try await ContractStores.events()
        let handler = CommandHandler<SessionDecider>(store: events)
        let seated = "\(id)-seated"
        let general = "\(id)-ga"
        func run(_ session: String, _ command: SessionCommand) async throws {
            _ = try await handler.execute(command, on: "session-\(session)", metadata: metadata)
        }
        func read() async throws -> [StoredEvent] {
            let all = try await events.readStream("session-\(seated)", after: 0) + events.readStream("session-\(general)", after: 0)
            return all.sorted { $0.checkpoint < $1.checkpoint }
        }
        try await run(
            seated,
            .schedule(
                SessionScheduled(
                    sessionId: seated, title: "Cut short", startsAt: DocumentFixtures.startsAt, kind: .seated, hall: nil,
                    seatSections: [SeatSection(id: "stalls", name: "Stalls", price: Decimal(string: "12.5")!, rows: [SeatRow(row: "A", seats: 6)])],
                    gaSections: [])))
        try await run(
            general,
            .schedule(
                SessionScheduled(
                    sessionId: general, title: "Cut short GA", startsAt: nil, kind: .general, hall: nil, seatSections: [],
                    gaSections: [GASection(id: "floor", name: "Floor", price: Decimal(string: "9.99")!, capacity: 20)])))
        try await run(
            general,
            .bookQuantity(
                BookQuantity(
                    bookingId: "\(id)-g1", userId: "u1", sectionId: "floor", qty: 2, hold: true,
                    holdTTL: 600)))
        try await run(seated, .holdSeats(HoldSeats(bookingId: "\(id)-s1", userId: "u2", seats: ["A1", "A2"], confirm: false, holdTTL: 600)))
        try await run(
            general,
            .bookQuantity(
                BookQuantity(
                    bookingId: "\(id)-g2", userId: "u2", sectionId: "floor", qty: 3, hold: true,
                    holdTTL: 600)))
        let a = try await read()
        try await run(
            general,
            .bookQuantity(
                BookQuantity(
                    bookingId: "\(id)-g3", userId: "u3", sectionId: "floor", qty: 4, hold: false,
                    holdTTL: 600)))
        try await run(general, .confirm(bookingId: "\(id)-g1", by: .admin))
        // Placed and confirmed within the batch: its booking KPI ends a step past where the batch found it.
        try await run(
            general,
            .bookQuantity(
                BookQuantity(
                    bookingId: "\(id)-g4", userId: "u1", sectionId: "floor", qty: 1, hold: true,
                    holdTTL: 600)))
        try await run(general, .confirm(bookingId: "\(id)-g4", by: .admin))
        try await run(seated, .cancel(bookingId: "\(id)-s1", by: .admin))
        try await run(general, .cancel(bookingId: "\(id)-g2", by: .admin))
        try await run(seated, .holdSeats(HoldSeats(bookingId: "\(id)-s2", userId: "u1", seats: ["A2", "A3"], confirm: true, holdTTL: 600)))
        let all = try await read()
        return (a, Array(all.dropFirst(a.count)))
    }

    /// Applies `events` to the documents stored in `generation`, as the projection runner does.
    static func writes(
        _ events: [StoredEvent], in generation: Int, of store: any DocumentStore,
        projection: any Projection = SessionProjection()
    ) async throws -> [DocumentWrite] {
        let keys = Set(events.flatMap { projection.keys(for: $0) })
        var set = DocumentSet(try await store.documents(keys, generation: generation))
        for event in events { try projection.apply(event, to: &set) }
        return try set.writes()
    }

    @Test(arguments: ContractStores.kinds)
    func everyPrefixOfTheMongoDBWriteOrderIsCompletedByRedelivery(_ kind: StoreKind) async throws {
        try await cutEveryPrefix(kind, projection: SessionProjection(), offset: 0)
    }

    /// The KPI projection under the same cuts: a batch that places and confirms one booking, cut after
    /// its booking KPI was written, once left the session's held count at -1 on redelivery.
    @Test(arguments: ContractStores.kinds)
    func everyPrefixOfTheKPIWriteOrderIsCompletedByRedelivery(_ kind: StoreKind) async throws {
        try await cutEveryPrefix(kind, projection: KPIProjection(), offset: 100)
    }

    func cutEveryPrefix(_ kind: StoreKind, projection: any Projection, offset: Int) async throws {
        let store = try await ContractStores.store(kind)
        let sessionId = "cut" + UUID().uuidString.prefix(8).lowercased()
        let (a, b) = try await Self.history(sessionId)
        let expected = try ProjectionFold.documents(projection, events: a + b)
        let name = projection.name
        var batchB = 0
        var cut = 0
        // Generations far above the active one: each cut gets its own, untouched by anything else.
        repeat {
            let generation = 1_000 + offset + cut + [StoreKind.postgresql: 0, .mongodbEmulated: 300, .mongodb: 600][kind]!
            try await store.drop(projection: name, generation: generation)
            try await store.commit(
                try await Self.writes(a, in: generation, of: store, projection: projection), projection: name,
                generation: generation, checkpoint: a.last!.checkpoint, owner: "batch-a")
            let ordered = MongoLayout.commitOrder(try await Self.writes(b, in: generation, of: store, projection: projection))
                .flatMap(\.writes)
            batchB = ordered.count
            // The crash: only the first `cut` writes of batch B reached the store; the checkpoint did not move.
            try await store.commit(
                Array(ordered.prefix(cut)), projection: name, generation: generation,
                checkpoint: a.last!.checkpoint, owner: "crashed")
            // Redelivery of batch B from the unmoved checkpoint.
            try await store.commit(
                try await Self.writes(b, in: generation, of: store, projection: projection), projection: name,
                generation: generation, checkpoint: b.last!.checkpoint, owner: "next-leader")
            let stored = try await store.documents(Set(expected.keys), generation: generation)
            for (key, body) in expected {
                let document = stored[key]
                let found = document.map { String(decoding: $0.body, as: UTF8.self) } ?? "missing"
                #expect(
                    document.map { ProjectionFold.sameJSON($0.body, body) } == true,
                    """
                    cut after \(cut) of \(ordered.count) writes: \(key.collection.name)/\(key.id) differs from the fold:
                    \(found)
                    \(String(decoding: body, as: UTF8.self))
                    """)
            }
            try await store.drop(projection: name, generation: generation)
            cut += 1
        } while cut <= batchB
        // Batch B: per session its seat map and summary (or its KPIs), and the six bookings it touches.
        #expect(batchB == (name == "sessions" ? 10 : 8), "\(name): \(batchB) writes")
    }
}
