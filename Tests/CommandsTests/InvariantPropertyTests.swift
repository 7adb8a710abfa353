import Commands
import Foundation
import Testing

// Random command mixes find interleavings nobody writes by hand; seeds keep any failure replayable.
@Suite("Invariants under random command sequences")
struct InvariantPropertyTests {
    static let steps = 2_000
    static let users = ["u1", "u2", "u3"]

    @Test(arguments: [1, 42, 0xB0C5] as [UInt64])
    func noSeatIsEverInTwoActiveBookings(seed: UInt64) {
        var run = RandomWalk(seed: seed, state: given([.scheduled(seatedSession)]))
        let seats = run.state.seats.keys.sorted()
        for step in 0..<Self.steps {
            let id = "b\(step)"
            let roll = Int.random(in: 0..<100, using: &run.rng)
            if roll < 40 {
                // Repeats and a stray unknown seat are allowed: the refusals belong in the mix too.
                var wanted = (0..<Int.random(in: 1...3, using: &run.rng)).map { _ in seats.randomElement(using: &run.rng)! }
                if roll == 0 { wanted.append("Z9") }
                run.decide(
                    .holdSeats(
                        HoldSeats(
                            bookingId: id, userId: run.user(), seats: wanted, confirm: roll < 8, holdTTL: run.ttl())))
            } else {
                run.moveExistingBooking(roll: roll)
            }
            if let problem = Self.seatViolation(run.state) {
                Issue.record("seed \(seed), step \(step): \(problem)")
                return
            }
        }
        run.expectEveryPathTaken()
    }

    @Test(arguments: [7, 99, 0xC0FFEE] as [UInt64])
    func gaSectionsNeverExceedCapacity(seed: UInt64) {
        var run = RandomWalk(seed: seed, state: given([.scheduled(gaSession)]))
        for step in 0..<Self.steps {
            let roll = Int.random(in: 0..<100, using: &run.rng)
            if roll < 40 {
                let section = ["floor", "floor", "vip", nil].randomElement(using: &run.rng)!
                run.decide(
                    .bookQuantity(
                        BookQuantity(
                            bookingId: "b\(step)", userId: run.user(), sectionId: section,
                            qty: Int.random(in: 0...4, using: &run.rng), hold: roll >= 8, holdTTL: run.ttl())))
            } else {
                run.moveExistingBooking(roll: roll)
            }
            if let problem = Self.capacityViolation(run.state) {
                Issue.record("seed \(seed), step \(step): \(problem)")
                return
            }
        }
        run.expectEveryPathTaken()
    }

    static func seatViolation(_ state: SessionState) -> String? {
        var owner: [String: String] = [:]
        for booking in state.bookings.values where booking.status.isActive {
            for seat in booking.seats ?? [] {
                if let other = owner.updateValue(booking.id, forKey: seat) {
                    return "seat \(seat) is in active bookings \(other) and \(booking.id)"
                }
            }
        }
        if owner != state.seatHolder { return "seatHolder \(state.seatHolder) disagrees with active bookings \(owner)" }
        return openHoldsViolation(state)
    }

    static func capacityViolation(_ state: SessionState) -> String? {
        for section in state.session?.gaSections ?? [] {
            let active = state.bookings.values
                .filter { $0.status.isActive && $0.sectionId == section.id }
                .reduce(0) { $0 + ($1.qty ?? 0) }
            if state.gaTaken[section.id, default: 0] != active { return "gaTaken[\(section.id)] != \(active) active" }
            if active > section.capacity { return "\(active) taken in \(section.id) of \(section.capacity)" }
        }
        return openHoldsViolation(state)
    }

    static func openHoldsViolation(_ state: SessionState) -> String? {
        let held = Set(state.bookings.values.filter { $0.status == .held }.map(\.id))
        return Set(state.openHolds.keys) == held ? nil : "openHolds \(state.openHolds.keys.sorted()) != held \(held.sorted())"
    }
}

/// One random walk: the state, the clock, and what happened, so the test can check it covered every path.
struct RandomWalk {
    var rng: SplitMix64
    var state: SessionState
    var now = t0
    var emitted: [String: Int] = [:]
    var refused = 0

    init(seed: UInt64, state: SessionState) {
        rng = SplitMix64(seed: seed)
        self.state = state
    }

    mutating func user() -> String { InvariantPropertyTests.users.randomElement(using: &rng)! }
    mutating func ttl() -> TimeInterval { TimeInterval(Int.random(in: 5...120, using: &rng)) }

    /// Confirm, cancel or expire a random booking (sometimes a missing one), or let time pass.
    mutating func moveExistingBooking(roll: Int) {
        let id = state.bookings.keys.sorted().randomElement(using: &rng) ?? "missing"
        let actor: Actor = Int.random(in: 0..<5, using: &rng) == 0 ? .admin : .user(state.bookings[id]?.userId ?? "u1")
        switch roll {
        case ..<55: decide(.confirm(bookingId: Bool.random(using: &rng) ? id : "missing", by: actor))
        case ..<70: decide(.cancel(bookingId: id, by: Int.random(in: 0..<10, using: &rng) == 0 ? .user(user()) : actor))
        case ..<80: decide(.expire(bookingId: id))
        default: now.addTimeInterval(TimeInterval(Int.random(in: 0...30, using: &rng)))
        }
    }

    /// Applies the events only if `decide` accepted, as the store would.
    mutating func decide(_ command: SessionCommand) {
        do {
            let events = try SessionDecider.decide(command, state, now: now)
            for event in events {
                SessionDecider.evolve(&state, event)
                emitted[event.typeName, default: 0] += 1
            }
        } catch {
            refused += 1
            checkRefusal(error, of: command)
        }
    }

    /// A refusal must be true of the state it was decided on.
    func checkRefusal(_ error: DomainError, of command: SessionCommand) {
        switch (error, command) {
        case (.seatUnavailable(let seats), .holdSeats):
            for seat in seats {
                let holder = state.seatHolder[seat].flatMap { state.bookings[$0] }
                #expect(holder != nil && holder?.isDueHold(at: now) == false, "seat \(seat) reported taken but is free")
            }
        case (.insufficientCapacity(let remaining), .bookQuantity(let book)):
            #expect(remaining < book.qty && remaining >= 0)
        default:
            break
        }
    }

    func expectEveryPathTaken() {
        for type in ["BookingPlaced", "BookingConfirmed", "BookingCancelled", "HoldExpired"] {
            #expect(emitted[type, default: 0] > 0, "no \(type) in \(emitted)")
        }
        #expect(refused > 0)
    }
}
