import Commands
import EventStore
import Foundation
import Testing

@testable import Projections

// The projector (booking documents in a DocumentSet), the gateway's live copy (its own ledger) and audit
// replay (`SeatMap.of` a folded state) each move seats through `SeatMap.move`; random histories folded all
// three ways must give the same map after every event.
@Suite("One seat-map transition")
struct SeatMapTransitionTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static let seated = SessionScheduled(
        sessionId: "s1", title: "Metropolis", startsAt: nil, kind: .seated, hall: HallRef(id: "h1", name: "Hall 1"),
        seatSections: [
            SeatSection(id: "stalls", name: "Stalls", price: 12, rows: [SeatRow(row: "A", seats: 6), SeatRow(row: "B", seats: 5)]),
            SeatSection(id: "balcony", name: "Balcony", price: 8, rows: [SeatRow(row: "C", seats: 4)]),
        ],
        gaSections: [])

    static let general = SessionScheduled(
        sessionId: "s1", title: "Open Air", startsAt: nil, kind: .general, hall: nil, seatSections: [],
        gaSections: [GASection(id: "floor", name: "Floor", price: 20, capacity: 12), GASection(id: "vip", name: "VIP", price: 50, capacity: 3)])

    @Test(arguments: [(1, true), (42, true), (0xB0C5, true), (7, false), (99, false), (0xC0FFEE, false)] as [(UInt64, Bool)])
    func projectorLiveCopyAndReplayAgree(seed: UInt64, seated: Bool) throws {
        var random = SeededRandom(seed: seed)
        let scheduled = seated ? Self.seated : Self.general
        var state = SessionState()
        var documents = DocumentSet([:])
        var live: LiveSession?
        var version = 0
        var now = Self.start
        var emitted: Set<String> = []
        let seatIds = scheduled.seatSections.flatMap { $0.rows.flatMap(\.seatIds) }

        func record(_ events: [SessionEvent]) throws {
            for event in events {
                version += 1
                SessionDecider.evolve(&state, event)
                emitted.insert(event.typeName)
                let stored = StoredEvent(
                    position: Int64(version * 3), streamId: Streams.session("s1"), version: version,
                    type: event.typeName, data: try event.encodedData(),
                    metadata: EventMetadata(correlationId: "t"), transactionId: UInt64(version), recordedAt: now)
                try SessionProjection().apply(stored, to: &documents)
                if live == nil {
                    live = LiveSession(state, version: version, position: stored.position)
                } else {
                    let applied = live!.apply(event, version: version, position: stored.position)
                    #expect(applied)
                }
            }
        }

        try record([.scheduled(scheduled)])
        for step in 0..<600 {
            let roll = random.next(116)
            let booking = state.bookings.keys.sorted().randomElement(using: &random) ?? "none"
            // Mostly a block that still holds seats: released ones only test that nothing happens.
            let open = state.blocks.values.filter(\.isActive).map(\.id).sorted()
            let block = (random.next(4) == 0 ? state.blocks.keys.sorted() : open).randomElement(using: &random) ?? "none"
            let command: SessionCommand
            switch roll {
            case ..<45 where seated:
                let seats = (0..<(1 + random.next(3))).map { _ in seatIds.randomElement(using: &random)! }
                command = .holdSeats(
                    HoldSeats(
                        bookingId: "b\(step)", userId: "u1", seats: seats, confirm: roll < 10,
                        holdTTL: TimeInterval(5 + random.next(60))))
            case ..<45:
                command = .bookQuantity(
                    BookQuantity(
                        bookingId: "b\(step)", userId: "u1", sectionId: ["floor", "vip"][random.next(2)],
                        qty: 1 + random.next(3), hold: roll >= 10, holdTTL: TimeInterval(5 + random.next(60))))
            case ..<65: command = .confirm(bookingId: booking, by: .admin)
            case ..<80: command = .cancel(bookingId: booking, by: .admin)
            case ..<88:
                // Half the time an open offer, if there is one: it lapses only through an expiry.
                let offer = state.bookings.values.filter { $0.offered == true && $0.status == .held }.map(\.id).min()
                command = .expire(bookingId: roll < 84 ? offer ?? booking : booking)
            case ..<92 where seated:
                command = .reserveBest(
                    ReserveBest(
                        bookingId: "b\(step)", userId: "u1", count: 1 + random.next(3), section: nil, together: roll < 90,
                        confirm: false, holdTTL: TimeInterval(5 + random.next(60))))
            case ..<95:
                command = .extend(bookingId: booking, by: .admin, rules: HoldExtensionRules(ttl: 20, maxExtensions: 3, maxHold: 120))
            case ..<97:
                command = .changeSales(SalesSettings(maxSeatsPerUser: roll == 95 ? 1_000 : nil, salesOpenAt: nil, salesCloseAt: nil))
            case 100..<104 where seated:
                // Mostly seats nobody holds (in a 15-seat hall random ones are almost always taken).
                let free = seatIds.filter { state.seatHolder[$0] == nil && state.seatBlock[$0] == nil }
                let pool = free.isEmpty || roll == 100 ? seatIds : free
                let seats = Array(Set((0..<(1 + random.next(3))).map { _ in pool.randomElement(using: &random)! })).sorted()
                command = .blockSeats(blockId: "x\(step)", seats: seats, reason: "house")
            case 104..<107 where seated:
                command = .releaseBlock(blockId: block)
            case 107..<110 where seated:
                let seats = state.blocks[block].map { Array($0.seats.prefix(1 + random.next(2))) }
                command = .bookFromBlock(
                    BookFromBlock(
                        blockId: block, bookingId: "b\(step)", userId: "u2", seats: roll == 107 ? nil : seats, confirm: roll < 109,
                        holdTTL: TimeInterval(5 + random.next(60))))
            case 110..<114:
                command = .joinWaitlist(
                    Waiter(
                        userId: "w\(step)", count: 1 + random.next(3), sectionId: seated ? nil : ["floor", "vip"][random.next(2)], offerTTL: 3,
                        joinedAt: now))
            case 114..<116:
                command = .leaveWaitlist(userId: state.waitlist.randomElement(using: &random)?.userId ?? "nobody")
            default:
                now.addTimeInterval(TimeInterval(random.next(30)))
                continue
            }
            guard let events = try? SessionDecider.decide(command, state, now: now) else { continue }
            try record(events)

            let replayed = SeatMap.of(state, version: version)
            let tally = try #require(try documents.get(DocumentKey(SessionProjection.seatMaps, "s1"), as: SeatTally.self))
            let bookings = try state.bookings.keys.compactMap {
                try documents.get(DocumentKey(SessionProjection.bookings, $0), as: BookingDocument.self)
            }
            let projected = SeatMap.assemble(scheduled, tally: tally, activeBookings: bookings)
            #expect(tally == replayed.tally, "seed \(seed), step \(step): projector's tally and replay differ")
            #expect(projected == replayed, "seed \(seed), step \(step): projector's documents and replay differ")
            #expect(live?.map == replayed, "seed \(seed), step \(step): live copy and replay differ")
            if projected != replayed || live?.map != replayed { return }
        }
        #expect(
            emitted.isSuperset(
                of: ["BookingPlaced", "BookingConfirmed", "BookingCancelled", "HoldExpired", "HoldExtended", "SessionSalesChanged"]
                    + (seated ? ["SeatsBlocked", "SeatsReleased"] : []) + ["WaitlistJoined", "SeatsOffered"]), "\(emitted)")
        #expect(!seated || state.bookings.values.contains { $0.userId == "u2" }, "no booking from a block was made")
    }

    @Test func aGapIsRefusedAndAnOldVersionIsSkipped() throws {
        var state = SessionState()
        SessionDecider.evolve(&state, .scheduled(Self.seated))
        var live = try #require(LiveSession(state, version: 1, position: 1))
        let placed = try SessionDecider.decide(
            .holdSeats(
                HoldSeats(
                    bookingId: "b1", userId: "u1", seats: ["A1"], confirm: false,
                    holdTTL: 60)), state, now: Self.start)
        let gap = live.apply(placed[0], version: 3, position: 9)
        #expect(!gap, "version 3 after 1 is a gap")
        let old = live.apply(placed[0], version: 1, position: 1)
        #expect(old, "an event already applied is skipped")
        #expect(live.map.summary.held == 0)
        let next = live.apply(placed[0], version: 2, position: 5)
        #expect(next)
        #expect(live.map.summary.held == 1 && live.position == 5)
    }

    @Test func theCompactFormHasOneLetterPerSeatInLayoutOrder() throws {
        var state = SessionState()
        SessionDecider.evolve(&state, .scheduled(Self.seated))
        for event in try SessionDecider.decide(
            .holdSeats(
                HoldSeats(
                    bookingId: "b1", userId: "u1", seats: ["A2", "C4"], confirm: true,
                    holdTTL: 60)), state, now: Self.start)
            + SessionDecider.decide(.blockSeats(blockId: "x1", seats: ["B5"], reason: "broken"), state, now: Self.start)
        {
            SessionDecider.evolve(&state, event)
        }
        let live = try #require(LiveSession(state, version: 3, position: 3))
        let body = try JSONSerialization.jsonObject(with: live.render(.compact)) as? [String: Any]
        let rows = try #require(body?["rows"] as? [[String: Any]])
        #expect(rows.map { $0["row"] as? String } == ["A", "B", "C"])
        #expect(rows.map { $0["seats"] as? String } == ["ABAAAA", "AAAAX", "AAAB"])
        #expect(rows.map { $0["section"] as? String } == ["stalls", "stalls", "balcony"])
        #expect(body?["version"] as? Int == 3 && body?["format"] as? String == "compact")
        let summary = body?["summary"] as? [String: Int]
        #expect(summary == ["total": 15, "available": 12, "held": 0, "booked": 2, "blocked": 1])
    }
}

/// SplitMix64: small, fast, and the same sequence for a seed on every machine.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
