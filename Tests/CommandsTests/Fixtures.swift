import Commands
import Foundation

// A fixed clock: every test passes time in explicitly, so no test depends on when it runs.
let t0 = Date(timeIntervalSince1970: 1_795_000_000)
let ttl: TimeInterval = 300

func given(_ events: [SessionEvent]) -> SessionState { SessionDecider.fold(events) }
func given(_ events: [HallEvent]) -> HallState { HallDecider.fold(events) }
func given(_ events: [UserEvent]) -> UserState { UserDecider.fold(events) }

/// Applies `events` on top of `state`, as the store would after accepting them.
func applying(_ events: [SessionEvent], to state: SessionState) -> SessionState {
    var state = state
    for event in events { SessionDecider.evolve(&state, event) }
    return state
}

// MARK: Layouts

// Two sections with different prices so amounts prove the per-seat price is used.
let stalls = SeatSection(id: "stalls", name: "Stalls", price: 10, rows: [SeatRow(row: "A", seats: 4), SeatRow(row: "B", seats: 4)])
let balcony = SeatSection(id: "balcony", name: "Balcony", price: 12.5, rows: [SeatRow(row: "C", seats: 2)])

let seatedSession = SessionScheduled(
    sessionId: "s1", title: "Metropolis", startsAt: t0.addingTimeInterval(86_400), kind: .seated,
    hall: HallRef(id: "h1", name: "Hall 1"), seatSections: [stalls, balcony], gaSections: [])

let floorSection = GASection(id: "floor", name: "Floor", price: 20, capacity: 10)
let vipSection = GASection(id: "vip", name: "VIP", price: 50, capacity: 3)

let gaSession = SessionScheduled(
    sessionId: "g1", title: "Open Air", startsAt: t0.addingTimeInterval(86_400), kind: .general,
    hall: nil, seatSections: [], gaSections: [floorSection, vipSection])

let gaOneSection = SessionScheduled(
    sessionId: "g2", title: "Club Night", startsAt: nil, kind: .general,
    hall: nil, seatSections: [], gaSections: [floorSection])

// MARK: Commands

func holdSeats(_ bookingId: String, _ seats: [String], user: String = "u1", confirm: Bool = false) -> SessionCommand {
    .holdSeats(HoldSeats(bookingId: bookingId, userId: user, seats: seats, confirm: confirm, holdTTL: ttl))
}

func bookQty(_ bookingId: String, _ qty: Int, in section: String? = "floor", user: String = "u1", hold: Bool = false) -> SessionCommand {
    .bookQuantity(BookQuantity(bookingId: bookingId, userId: user, sectionId: section, qty: qty, hold: hold, holdTTL: ttl))
}

// MARK: Given events

/// A seat hold placed at `at`, due `ttl` later.
func seatsHeld(_ bookingId: String, _ seats: [String], user: String = "u1", at: Date = t0, amount: Decimal = 10) -> SessionEvent {
    .bookingPlaced(
        BookingPlaced(
            bookingId: bookingId, userId: user, seats: seats, sectionId: nil, qty: nil, amount: amount,
            status: .held, holdExpiresAt: at.addingTimeInterval(ttl), createdAt: at))
}

func seatsBooked(_ bookingId: String, _ seats: [String], user: String = "u1", at: Date = t0) -> SessionEvent {
    .bookingPlaced(
        BookingPlaced(
            bookingId: bookingId, userId: user, seats: seats, sectionId: nil, qty: nil, amount: 10,
            status: .confirmed, holdExpiresAt: nil, createdAt: at))
}

func qtyHeld(_ bookingId: String, _ qty: Int, in section: String = "floor", user: String = "u1", at: Date = t0) -> SessionEvent {
    .bookingPlaced(
        BookingPlaced(
            bookingId: bookingId, userId: user, seats: nil, sectionId: section, qty: qty, amount: 20 * Decimal(qty),
            status: .held, holdExpiresAt: at.addingTimeInterval(ttl), createdAt: at))
}

func qtyBooked(_ bookingId: String, _ qty: Int, in section: String = "floor", user: String = "u1", at: Date = t0) -> SessionEvent {
    .bookingPlaced(
        BookingPlaced(
            bookingId: bookingId, userId: user, seats: nil, sectionId: section, qty: qty, amount: 20 * Decimal(qty),
            status: .confirmed, holdExpiresAt: nil, createdAt: at))
}

func confirmed(_ bookingId: String, at: Date = t0) -> SessionEvent { .bookingConfirmed(BookingChanged(bookingId: bookingId, at: at)) }
func cancelled(_ bookingId: String, at: Date = t0) -> SessionEvent { .bookingCancelled(BookingChanged(bookingId: bookingId, at: at)) }
func expired(_ bookingId: String, at: Date) -> SessionEvent { .holdExpired(BookingChanged(bookingId: bookingId, at: at)) }

/// The event `decide` places for a booking; taken from the result so a test compares only what it cares about.
func placed(in events: [SessionEvent]) -> BookingPlaced? {
    for case .bookingPlaced(let placed) in events { return placed }
    return nil
}

// MARK: Deterministic randomness

/// SplitMix64: the system generator cannot be seeded, and a failing property run must be replayable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: Refusals

/// Why `decide` refused, or nil if it accepted; for checks on the kind of error rather than its wording.
func refusal(_ command: SessionCommand, _ state: SessionState, now: Date = t0) -> DomainError? {
    do {
        _ = try SessionDecider.decide(command, state, now: now)
        return nil
    } catch {
        return error
    }
}

extension DomainError {
    var isInvalid: Bool {
        if case .invalid = self { true } else { false }
    }
}

/// The booking decisions of `events` without the tickets they issue or void (`TicketTests` covers those).
func withoutTickets(_ events: [SessionEvent]) -> [SessionEvent] {
    events.filter {
        switch $0 {
        case .ticketIssued, .ticketVoided, .ticketCheckedIn: false
        default: true
        }
    }
}
