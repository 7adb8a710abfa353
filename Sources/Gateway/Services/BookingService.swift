import Commands
import EventStore
import Foundation

/// A session command that passed the request rules, and the session it is for.
struct BookingCommand: Sendable {
    var command: SessionCommand
    var sessionId: String
}

/// Holding, booking, confirming and cancelling: the rules a request must meet before its command is
/// decided (how many seats, who may book for whom), and the session command handler that decides it.
/// A request is first made a `BookingCommand` (refused here when it breaks a rule), then executed:
/// the route looks its idempotency key up between the two.
struct BookingService: Sendable {
    let sessions: CommandHandler<SessionDecider>
    let locator: BookingLocator
    let holdTTL: TimeInterval
    let maxSeatsPerBooking: Int
    let extensions: HoldExtensionRules

    /// Holds (or books at once, with `confirm`) named seats. `guestName` makes it a guest's booking when
    /// no user is named; `maxHoldTTL` shortens the hold (a seed whose holds are shorter than ours).
    func hold(
        _ seats: [String], confirm: Bool, for userId: String?, guestName: String? = nil, in sessionId: String,
        by principal: Principal, maxHoldTTL: TimeInterval? = nil
    ) throws -> BookingCommand {
        try checkCount(seats.count, what: "seats")
        if let bad = seats.first(where: { !Identifiers.isSane($0, maxLength: 16) }) {
            throw APIError.invalidRequest("unknown seat id \(bad.prefix(16))")
        }
        let buyer = try actingUser(principal, requested: userId, guestName: guestName)
        return BookingCommand(
            command: .holdSeats(
                HoldSeats(
                    bookingId: Identifiers.make("bk"), userId: buyer.userId, seats: seats, confirm: confirm,
                    holdTTL: min(holdTTL, maxHoldTTL ?? holdTTL), guestName: buyer.guestName, ticketSeed: Self.ticketSeed(if: confirm))),
            sessionId: sessionId)
    }

    /// Holds (or books) the best `count` free seats (`BestAvailable`).
    func best(
        _ count: Int, section: String?, together: Bool, confirm: Bool, for userId: String?, in sessionId: String,
        by principal: Principal
    ) throws -> BookingCommand {
        try checkCount(count, what: "seats")
        if let section, !Identifiers.isSane(section, maxLength: 64) { throw DomainError.notFound("section") }
        let buyer = try actingUser(principal, requested: userId, guestName: nil)
        return BookingCommand(
            command: .reserveBest(
                ReserveBest(
                    bookingId: Identifiers.make("bk"), userId: buyer.userId, count: count, section: section, together: together,
                    confirm: confirm, holdTTL: holdTTL, ticketSeed: Self.ticketSeed(if: confirm))),
            sessionId: sessionId)
    }

    /// Books (or holds) `qty` places of a GA section.
    func book(
        _ qty: Int, of sectionId: String?, hold: Bool, for userId: String?, guestName: String? = nil,
        in sessionId: String, by principal: Principal
    ) throws -> BookingCommand {
        try checkCount(qty, what: "qty")
        if let sectionId, !Identifiers.isSane(sectionId, maxLength: 64) { throw DomainError.notFound("section") }
        let buyer = try actingUser(principal, requested: userId, guestName: guestName)
        return BookingCommand(
            command: .bookQuantity(
                BookQuantity(
                    bookingId: Identifiers.make("bk"), userId: buyer.userId, sectionId: sectionId, qty: qty, hold: hold,
                    holdTTL: holdTTL, guestName: buyer.guestName, ticketSeed: Self.ticketSeed(if: !hold))),
            sessionId: sessionId)
    }

    /// Books a block's seats (all it holds when `seats` is nil) for a user: the admin's only way to them.
    func fromBlock(_ blockId: String, seats: [String]?, confirm: Bool, for userId: String, in sessionId: String) throws -> BookingCommand {
        guard Identifiers.isSane(userId) else { throw APIError.invalidRequest("userId is malformed") }
        if let seats {
            guard seats.count <= LayoutLimits.maxSeats else { throw APIError.invalidRequest("at most \(LayoutLimits.maxSeats) seats") }
            if let bad = seats.first(where: { !Identifiers.isSane($0, maxLength: 16) }) {
                throw APIError.invalidRequest("unknown seat id \(bad.prefix(16))")
            }
        }
        return BookingCommand(
            command: .bookFromBlock(
                BookFromBlock(
                    blockId: blockId, bookingId: Identifiers.make("bk"), userId: userId, seats: seats, confirm: confirm,
                    holdTTL: holdTTL, ticketSeed: Self.ticketSeed(if: confirm))),
            sessionId: sessionId)
    }

    /// Confirms or cancels a booking.
    func change(_ bookingId: String, confirm: Bool, by principal: Principal) async throws -> BookingCommand {
        let sessionId = try await locator.sessionId(of: bookingId)
        let actor = principal.actor
        return BookingCommand(
            command: confirm
                ? .confirm(bookingId: bookingId, by: actor, ticketSeed: Self.ticketSeed(if: true)) : .cancel(bookingId: bookingId, by: actor),
            sessionId: sessionId)
    }

    /// How seed 004's seat numbers map to the session's seat ids.
    func seatNumbers(of sessionId: String) async throws -> SeatNumbers {
        SeatNumbers(try await sessions.latest(of: Streams.session(sessionId)).state.session?.seatSections ?? [])
    }

    /// Moves a live hold's deadline (`extensions`).
    func extend(_ bookingId: String, by principal: Principal) async throws -> BookingCommand {
        let sessionId = try await locator.sessionId(of: bookingId)
        return BookingCommand(command: .extend(bookingId: bookingId, by: principal.actor, rules: extensions), sessionId: sessionId)
    }

    /// Decides and records a command that passed the rules.
    func execute(_ booking: BookingCommand, _ command: CommandRequest) async throws -> CommandResult<SessionDecider> {
        let (sessionCommand, sessionId) = (booking.command, booking.sessionId)
        let result: CommandResult<SessionDecider>
        do {
            result = try await sessions.execute(
                sessionCommand, on: Streams.session(sessionId), metadata: command.metadata,
                idempotency: command.idempotency)
        } catch CommandError.outcomeUnknown {
            throw APIError.outcomeUnknown(bookingId: sessionCommand.bookingId)
        } catch DomainError.forbidden where command.principal == .guest {
            // A registered user's booking still needs its owner's token: without one, the answer is 401.
            throw APIError.unauthorized
        }
        if let bookingId = sessionCommand.bookingId {
            locator.remember(bookingId: bookingId, sessionId: sessionId)
        }
        return result
    }

    /// Drawn for a command that confirms (a hold issues no tickets, and a draw is a system call): the ids
    /// of the tickets it issues start with it.
    private static func ticketSeed(if confirms: Bool) -> String? { confirms ? Identifiers.make("tk") : nil }

    private func checkCount(_ count: Int, what: String) throws {
        guard count >= 1 else { throw APIError.invalidRequest("\(what) must not be empty or below 1") }
        guard count <= maxSeatsPerBooking else { throw APIError.invalidRequest("at most \(maxSeatsPerBooking) \(what) per booking") }
    }

    /// A user books for themselves; the admin names the user it books for, or a guest's name; a request
    /// without a token books as a guest when it gives a name (seed 004's `userName`), else it is 401.
    private func actingUser(
        _ principal: Principal, requested: String?, guestName: String?
    ) throws -> (userId: String, guestName: String?) {
        switch principal {
        case .admin:
            if requested == nil, let guestName { return (Identifiers.make("gst"), guestName) }
            guard let requested, Identifiers.isSane(requested) else {
                throw APIError.invalidRequest("userId is required when booking with the admin token")
            }
            return (requested, nil)
        case .user(let id):
            guard requested == nil || requested == id else { throw APIError.forbidden }
            return (id, nil)
        case .guest:
            guard requested == nil, let guestName else { throw APIError.unauthorized }
            return (Identifiers.make("gst"), guestName)
        }
    }
}
