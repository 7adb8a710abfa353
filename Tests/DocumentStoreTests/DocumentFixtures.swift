import Commands
import Foundation
import Logging
import TestSupport

@testable import Projections

/// Realistic read-model documents: Unicode names, decimal prices, millisecond dates.
enum DocumentFixtures {
    static var logger: Logger { TestDatabase.logger }

    static let startsAt = ISO8601.date(from: "2026-12-24T20:00:00.000Z")!
    static let created = ISO8601.date(from: "2026-03-01T10:00:00.123Z")!

    /// Row labels A…Z, AA…AZ, BA…: as many as needed.
    static func rowLabel(_ index: Int) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ").map(String.init)
        return index < 26 ? letters[index] : letters[index / 26 - 1] + letters[index % 26]
    }

    /// A seat map of `seats` seats in rows of 50, in two priced sections, some held and booked.
    static func seatMap(seats: Int, sessionId: String = "s1") -> SeatMap {
        var summary = SeatCounts()
        let views: [SeatView] = (0..<seats).map { index in
            let row = rowLabel(index / 50)
            let number = index % 50 + 1
            let status: SeatStatus = index % 7 == 0 ? .held : index % 5 == 0 ? .booked : .available
            switch status {
            case .held: summary.held += 1
            case .booked: summary.booked += 1
            case .available: summary.available += 1
            case .blocked: summary.blocked += 1
            }
            return SeatView(
                id: "\(row)\(number)", row: row, number: number, section: index < seats / 2 ? "stalls" : "balcón",
                price: index < seats / 2 ? Decimal(string: "12.5")! : Decimal(string: "9.99")!, status: status,
                holdExpiresAt: status == .held ? created.addingTimeInterval(300) : nil)
        }
        summary.total = seats
        let general = SectionView(
            id: "floor", name: "Fosse 🎤", price: Decimal(string: "45.05")!, capacity: 500, remaining: 497,
            held: 1, booked: 2)
        return SeatMap(sessionId: sessionId, version: 17, seats: views, sections: [general], summary: summary)
    }

    static func session(_ id: String = "s1", startsAt: Date? = startsAt) -> SessionDocument {
        var counts = SeatCounts()
        counts.total = 500
        counts.available = 497
        counts.held = 1
        counts.booked = 2
        return SessionDocument(
            id: id, title: "Les Enfants du Paradis — 天井桟敷の人々", kind: .seated, hall: HallRef(id: "h1", name: "Salle Lumière"),
            startsAt: startsAt,
            sections: [
                .init(id: "stalls", name: "Parterre", price: Decimal(string: "12.5")!, rows: [SeatRow(row: "A", seats: 50)], seatCount: 50),
                .init(id: "floor", name: "Fosse 🎤", price: Decimal(string: "45.05")!, capacity: 500, remaining: 497, held: 1, booked: 2),
            ],
            counts: counts, version: 17)
    }

    static func booking(
        _ id: String, amount: Decimal = Decimal(string: "25.5")!, userId: String = "u1",
        status: BookingStatus = .confirmed, createdAt: Date = created, position: Int64 = 42
    ) -> BookingDocument {
        BookingDocument(
            id: id, sessionId: "s1", sessionTitle: "Amélie — 東京物語 🎬", sessionKind: .seated, userId: userId, status: status,
            seats: ["A1", "A2"], sectionId: nil, qty: nil, sections: [.init(id: "stalls", name: "Parterre")], amount: amount,
            holdExpiresAt: status == .held ? createdAt.addingTimeInterval(300) : nil, createdAt: createdAt,
            updatedAt: createdAt.addingTimeInterval(1.5), position: position)
    }

    static func user(_ id: String = "u1") -> UserDocument {
        UserDocument(id: id, name: "Zoë Ångström-Núñez 李小龍", email: "zoe+\(id)@example.test", registeredAt: created)
    }

    static func hall(_ id: String = "h1") -> HallDocument {
        let rows = (0..<12).map { SeatRow(row: rowLabel($0), seats: 20) }
        return HallDocument(
            id: id, name: "Kino Babylon – Saal 1",
            sections: [
                .init(
                    id: "parkett", name: "Parkett", price: Decimal(string: "0.1")!, rows: rows,
                    seatIds: rows.flatMap { row in (1...row.seats).map { "\(row.row)\($0)" } })
            ], seatCount: 240)
    }

    /// Encoded as the projections encode documents.
    static func json(_ value: some Encodable) throws -> Data {
        try EventJSON.encoder.encode(value)
    }
}
