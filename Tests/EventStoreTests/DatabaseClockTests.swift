import Commands
import EventStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Hold deadlines decided by processes whose clocks disagree (issue 14, item 4).
@Suite("Deadlines on the database's clock")
struct DatabaseClockTests {
    let hourBehind: @Sendable () -> Date = { Date().addingTimeInterval(-3_600) }
    let metadata = EventMetadata(correlationId: "clock", gatewayId: "tests")

    @Test func aSkewedProcessReadsTheDatabasesTime() async throws {
        _ = try await TestDatabase.store()
        let clock = DatabaseClock(client: TestDatabase.client, logger: TestDatabase.logger, local: hourBehind)
        try await clock.measure()
        var database: Date?
        for try await value in try await TestDatabase.client.query("SELECT clock_timestamp()", logger: TestDatabase.logger).decode(Date.self) {
            database = value
        }
        let gap = try #require(database).timeIntervalSince(clock.now())
        #expect(abs(gap) < 1, "an hour of local skew is measured away (left: \(gap) s)")
    }

    /// A gateway an hour behind holds a seat for 60 s. On its own clock the hold's deadline has already
    /// passed for everyone else, and another gateway takes the seat at once; on the database's clock the
    /// hold stands.
    @Test func aHoldMadeByASkewedProcessLastsItsTTLForEveryone() async throws {
        let store = try await TestDatabase.store()
        let onTime = DatabaseClock(client: TestDatabase.client, logger: TestDatabase.logger)
        let behind = DatabaseClock(client: TestDatabase.client, logger: TestDatabase.logger, local: hourBehind)
        try await onTime.measure()
        try await behind.measure()

        func race(holdingClock: @escaping @Sendable () -> Date) async throws -> Result<CommandResult<SessionDecider>, DomainError> {
            let holder = CommandHandler<SessionDecider>(store: store, clock: holdingClock)
            let other = CommandHandler<SessionDecider>(store: store, clock: onTime.now)
            let id = UUID().uuidString.lowercased()
            let stream = Streams.session(id)
            _ = try await holder.execute(
                .schedule(
                    SessionScheduled(
                        sessionId: id, title: "Skew", startsAt: nil, kind: .seated, hall: nil,
                        seatSections: [SeatSection(id: "main", name: "Main", price: 10, rows: [SeatRow(row: "A", seats: 2)])],
                        gaSections: [])), on: stream, metadata: metadata)
            _ = try await holder.execute(
                .holdSeats(HoldSeats(bookingId: "hold-\(id)", userId: "u1", seats: ["A1"], confirm: false, holdTTL: 60)),
                on: stream, metadata: metadata)
            do {
                return .success(
                    try await other.execute(
                        .holdSeats(HoldSeats(bookingId: "take-\(id)", userId: "u2", seats: ["A1"], confirm: false, holdTTL: 60)),
                        on: stream, metadata: metadata))
            } catch let refusal as DomainError {
                return .failure(refusal)
            }
        }

        let localClocks = try await race(holdingClock: hourBehind)
        #expect((try? localClocks.get()) != nil, "control: on its own skewed clock the hold is already over for the other process")
        let databaseClock = try await race(holdingClock: behind.now)
        guard case .failure(let refusal) = databaseClock else {
            Issue.record("on the database's clock the hold must stand, but the other process took the seat")
            return
        }
        #expect(refusal == .seatUnavailable(["A1"]))
    }
}
