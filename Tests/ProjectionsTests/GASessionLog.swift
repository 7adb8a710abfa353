import Commands
import EventStore
import Foundation
import PostgresNIO
import TestSupport

@testable import Projections

/// A fresh database holding one general-admission session, `session-<id>` (section `f`, 10 places),
/// and the command handler that writes to it.
struct GASessionLog {
    let client: PostgresClient
    let events: PostgresEventStore
    let documents: PostgresDocumentStore
    let handler: CommandHandler<SessionDecider>
    let stream: String
    let metadata = EventMetadata(correlationId: "t")

    static func start(_ id: String) async throws -> GASessionLog {
        let (client, events) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        let log = GASessionLog(
            client: client, events: events, documents: PostgresDocumentStore(client: client, logger: TestDatabase.logger),
            handler: CommandHandler(store: events), stream: "session-\(id)")
        _ = try await log.handler.execute(
            .schedule(
                SessionScheduled(
                    sessionId: id, title: id.uppercased(), startsAt: nil, kind: .general, hall: nil, seatSections: [],
                    gaSections: [GASection(id: "f", name: "F", price: 1, capacity: 10)])), on: log.stream, metadata: log.metadata)
        return log
    }

    func book(_ bookingId: String, qty: Int, hold: Bool = false) async throws {
        _ = try await handler.execute(
            .bookQuantity(
                BookQuantity(
                    bookingId: bookingId, userId: "u", sectionId: "f", qty: qty,
                    hold: hold, holdTTL: 600)), on: stream, metadata: metadata)
    }

    func confirm(_ bookingId: String) async throws {
        _ = try await handler.execute(.confirm(bookingId: bookingId, by: .admin), on: stream, metadata: metadata)
    }

    /// The whole log once `count` events are readable (an open transaction anywhere in the cluster
    /// holds back what readers may see), or what is readable after 20 s.
    func visible(_ count: Int) async throws -> [StoredEvent] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let log = try await events.readAll(after: .start, limit: 100, types: nil)
            if log.count >= count || ContinuousClock.now >= deadline { return log }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
