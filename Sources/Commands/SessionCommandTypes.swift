import Foundation

/// Who is acting: admin may act on any booking, a user only on their own, a guest (no credential but
/// the booking id) only on a guest's booking.
public enum Actor: Equatable, Sendable {
    case admin
    case user(String)
    case guest

    func mayAct(on booking: Booking) -> Bool {
        switch self {
        case .admin: true
        case .user(let id): id == booking.userId
        case .guest: booking.guestName != nil
        }
    }
}

/// Take specific seats for a user.
public struct HoldSeats: Sendable {
    public var bookingId: String
    public var userId: String
    public var seats: [String]
    /// Confirm at once instead of holding.
    public var confirm: Bool
    /// How long a hold lasts.
    public var holdTTL: TimeInterval
    /// Set for a guest's booking.
    public var guestName: String?
    /// What the ids of the tickets a confirmation issues start with (`SessionDecider.withTickets`).
    public var ticketSeed: String?

    public init(
        bookingId: String, userId: String, seats: [String], confirm: Bool, holdTTL: TimeInterval, guestName: String? = nil,
        ticketSeed: String? = nil
    ) {
        self.ticketSeed = ticketSeed
        self.bookingId = bookingId
        self.userId = userId
        self.seats = seats
        self.confirm = confirm
        self.holdTTL = holdTTL
        self.guestName = guestName
    }
}

/// Take a quantity of tickets in a GA section for a user.
public struct BookQuantity: Sendable {
    public var bookingId: String
    public var userId: String
    /// Which section; may be omitted when the session has only one.
    public var sectionId: String?
    public var qty: Int
    /// Hold instead of confirming at once.
    public var hold: Bool
    public var holdTTL: TimeInterval
    /// Set for a guest's booking.
    public var guestName: String?
    public var ticketSeed: String?

    public init(
        bookingId: String, userId: String, sectionId: String?, qty: Int, hold: Bool, holdTTL: TimeInterval,
        guestName: String? = nil, ticketSeed: String? = nil
    ) {
        self.ticketSeed = ticketSeed
        self.bookingId = bookingId
        self.userId = userId
        self.sectionId = sectionId
        self.qty = qty
        self.hold = hold
        self.holdTTL = holdTTL
        self.guestName = guestName
    }
}

/// Hold (or book) the best `count` free seats instead of named ones (see `BestAvailable`).
public struct ReserveBest: Sendable {
    public var bookingId: String
    public var userId: String
    public var count: Int
    /// Only seats of this section; nil: any.
    public var section: String?
    /// Adjacent seats in one row (the default) or the best seats wherever they are.
    public var together: Bool
    public var confirm: Bool
    public var holdTTL: TimeInterval
    public var guestName: String?
    public var ticketSeed: String?

    public init(
        bookingId: String, userId: String, count: Int, section: String?, together: Bool, confirm: Bool,
        holdTTL: TimeInterval, guestName: String? = nil, ticketSeed: String? = nil
    ) {
        self.ticketSeed = ticketSeed
        self.bookingId = bookingId
        self.userId = userId
        self.count = count
        self.section = section
        self.together = together
        self.confirm = confirm
        self.holdTTL = holdTTL
        self.guestName = guestName
    }
}

/// How far a holder may push a live hold's deadline (`POST /bookings/:id/extend`).
public struct HoldExtensionRules: Sendable, Equatable {
    /// Each extension moves the deadline by this much.
    public var ttl: TimeInterval
    /// How many extensions one hold gets.
    public var maxExtensions: Int
    /// The deadline never passes placement plus this.
    public var maxHold: TimeInterval

    public init(ttl: TimeInterval, maxExtensions: Int, maxHold: TimeInterval) {
        self.ttl = ttl
        self.maxExtensions = maxExtensions
        self.maxHold = maxHold
    }
}

/// Commands on a session's inventory.
public enum SessionCommand: Sendable {
    case schedule(SessionScheduled)
    case holdSeats(HoldSeats)
    case reserveBest(ReserveBest)
    case bookQuantity(BookQuantity)
    case confirm(bookingId: String, by: Actor, ticketSeed: String? = nil)
    case cancel(bookingId: String, by: Actor)
    case extend(bookingId: String, by: Actor, rules: HoldExtensionRules)
    /// The admin sets the per-buyer cap and the sales window (`SessionSalesChanged`).
    case changeSales(SalesSettings)
    /// The admin keeps seats back from sale (`SeatsBlocked`), puts a block's seats back on sale
    /// (`SeatsReleased`), or books a block's seats for a user.
    case blockSeats(blockId: String, seats: [String], reason: String)
    case releaseBlock(blockId: String)
    case bookFromBlock(BookFromBlock)
    /// A buyer joins a sold-out session's (or GA section's) waiting list, or leaves it.
    case joinWaitlist(Waiter)
    case leaveWaitlist(userId: String)
    /// The admin opens an on-sale's waiting room; buyers queue in it (`ticket`: drawn at random).
    case openWaitingRoom(onSaleAt: Date, admitPerMinute: Int)
    case joinQueue(userId: String, ticket: UInt64)
    /// Record the expiry of a due hold; a no-op for anything else (the expiry worker may be late or doubled).
    case expire(bookingId: String)
    /// Door scans of this session's tickets: one online (refused when the ticket was used), or a scanner's
    /// offline uploads (double entries recorded and flagged).
    case checkIn(scans: [TicketScan], online: Bool, window: CheckinWindow)

    /// What the ids of the tickets this command may issue start with.
    var ticketSeed: String? {
        switch self {
        case .holdSeats(let c): c.ticketSeed
        case .reserveBest(let c): c.ticketSeed
        case .bookQuantity(let c): c.ticketSeed
        case .bookFromBlock(let c): c.ticketSeed
        case .confirm(_, _, let seed): seed
        default: nil
        }
    }

    /// The booking a command is about, if any.
    public var bookingId: String? {
        switch self {
        case .schedule, .changeSales, .blockSeats, .releaseBlock, .joinWaitlist, .leaveWaitlist, .openWaitingRoom, .joinQueue, .checkIn: nil
        case .bookFromBlock(let c): c.bookingId
        case .holdSeats(let c): c.bookingId
        case .reserveBest(let c): c.bookingId
        case .bookQuantity(let c): c.bookingId
        case .confirm(let id, _, _), .cancel(let id, _), .expire(let id), .extend(let id, _, _): id
        }
    }
}

/// What a caller sees after a session command: the session and the booking it touched.
public struct SessionOutcome: Codable, Sendable {
    /// The session, for the command that schedules it.
    public var session: SessionScheduled? = nil
    public var booking: Booking? = nil
    /// Places left in the booking's GA section.
    public var remaining: Int? = nil
    /// The block a block command touched.
    public var block: SeatBlock? = nil
    /// The waiter a waiting-list command is about, with their place in the line (1 = next).
    public var waiter: Waiter? = nil
    public var place: Int? = nil
    /// How many wait now.
    public var waiting: Int? = nil
    /// A waiting room's opening and, for a queued buyer, when their turn comes (nil before sales open).
    public var onSaleAt: Date? = nil
    public var admitAt: Date? = nil
    /// What became of each scan of a check-in command.
    public var scans: [ScanResult]? = nil
}
