import Commands
import EventStore
import Foundation
import Testing

@testable import Projections

/// The KPI projection's counting, including redelivery after a commit that wrote only some documents.
@Suite("KPI projection")
struct KPIProjectionTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func stored(_ event: SessionEvent, version: Int) throws -> StoredEvent {
        StoredEvent(
            position: Int64(version), streamId: "session-s", version: version, type: event.typeName,
            data: try event.encodedData(), metadata: EventMetadata(correlationId: "t"), transactionId: UInt64(version),
            recordedAt: start.addingTimeInterval(Double(version)))
    }

    func history() throws -> [StoredEvent] {
        let scheduled = SessionEvent.scheduled(
            SessionScheduled(
                sessionId: "s", title: "T", startsAt: nil, kind: .general, hall: nil, seatSections: [],
                gaSections: [GASection(id: "f", name: "F", price: 10, capacity: 20)]))
        func placed(_ id: String, qty: Int, status: BookingStatus, at offset: Double) -> SessionEvent {
            .bookingPlaced(
                BookingPlaced(
                    bookingId: id, userId: "u", seats: nil, sectionId: "f", qty: qty, amount: Decimal(qty * 10),
                    status: status, holdExpiresAt: status == .held ? start.addingTimeInterval(300) : nil,
                    createdAt: start.addingTimeInterval(offset)))
        }
        let events: [SessionEvent] = [
            scheduled,
            placed("held-then-confirmed", qty: 2, status: .held, at: 1),
            .bookingConfirmed(BookingChanged(bookingId: "held-then-confirmed", at: start.addingTimeInterval(31))),
            placed("sold-then-cancelled", qty: 3, status: .confirmed, at: 40),
            .bookingCancelled(BookingChanged(bookingId: "sold-then-cancelled", at: start.addingTimeInterval(50))),
            placed("expires", qty: 4, status: .held, at: 60),
            .holdExpired(BookingChanged(bookingId: "expires", at: start.addingTimeInterval(360))),
            placed("still-held", qty: 1, status: .held, at: 70),
        ]
        return try events.enumerated().map { try stored($1, version: $0 + 1) }
    }

    func summary(_ documents: [DocumentKey: Data]) throws -> SessionKPI {
        try EventJSON.decoder.decode(SessionKPI.self, from: try #require(documents[DocumentKey(KPIProjection.sessions, "s")]))
    }

    @Test func aBookingEventWithoutItsSessionDocumentsFailsInsteadOfVanishing() throws {
        let booking = try history()[1]
        for projection in [KPIProjection() as any Projection, SessionProjection()] {
            var empty = DocumentSet([:])
            #expect(throws: MissingDocument.self, "\(projection.name)") { try projection.apply(booking, to: &empty) }
        }
    }

    @Test func countsStatusesConversionAndOccupancy() throws {
        let kpi = try summary(try ProjectionFold.documents(KPIProjection(), events: try history()))
        #expect(kpi.bookings == SessionKPI.StatusCounts(held: 1, confirmed: 1, cancelled: 1, expired: 1))
        #expect(kpi.held == 1 && kpi.booked == 2 && kpi.capacity == 20)
        #expect(kpi.holds.placed == 3 && kpi.holds.confirmed == 1 && kpi.holds.expired == 1 && kpi.holds.cancelled == 0)
        #expect(kpi.holds.confirmMsTotal == 30_000, "confirmed 30 s after it was held")
        #expect(kpi.revenue == 20, "the cancelled sale is no longer revenue")
        #expect(kpi.minutes.reduce(0) { $0 + $1.units } == 5, "2 + 3 units were sold, whatever happened later")
    }

    @Test func aCommitThatWroteOnlyTheBookingDocumentIsCompletedOnRedelivery() throws {
        let events = try history()
        let projection = KPIProjection()
        // Everything up to the sale applied; then the cancel's commit wrote the booking document only.
        let upToSale = try ProjectionFold.documents(projection, events: Array(events.prefix(4)))
        var loaded = Dictionary(
            uniqueKeysWithValues: upToSale.map { key, body in
                (
                    key,
                    StoredDocument(
                        id: key.id, version: key.collection == KPIProjection.sessions ? 4 : (key.id == "sold-then-cancelled" ? 4 : 3), body: body)
                )
            })
        var partial = DocumentSet(loaded)
        try projection.apply(events[4], to: &partial)
        let bookingKey = DocumentKey(KPIProjection.bookings, "sold-then-cancelled")
        let written = try #require(try partial.writes().first { $0.key == bookingKey })
        loaded[bookingKey] = StoredDocument(id: bookingKey.id, version: 5, body: written.body)

        var redelivered = DocumentSet(loaded)
        try projection.apply(events[4], to: &redelivered)
        let session = try #require(try redelivered.writes().first { $0.key.collection == KPIProjection.sessions })
        let kpi = try EventJSON.decoder.decode(SessionKPI.self, from: session.body)
        #expect(
            kpi.bookings.cancelled == 1 && kpi.bookings.confirmed == 1 && kpi.booked == 2 && kpi.revenue == 20,
            "the cancel moved the sale's 3 units out of booked exactly once")
        #expect(try redelivered.writes().allSatisfy { $0.key.collection == KPIProjection.sessions }, "the booking is not written twice")
    }
}
