import Foundation

/// An on-sale's waiting room: buyers who arrive before `onSaleAt` are put in a random order when sales
/// open, later ones queue behind them in arrival order, and they are admitted at `admitPerMinute`.
/// Until everyone queued has been admitted, only admitted buyers may book.
public struct WaitingRoom: Equatable, Sendable {
    public let onSaleAt: Date
    public let admitPerMinute: Int
    /// Buyers who joined before `onSaleAt`, kept sorted by their random ticket (then id).
    private(set) var early: [QueueJoined] = []
    /// Buyers who joined after `onSaleAt`, in arrival order.
    private(set) var late: [String] = []
    private var members: Set<String> = []
    /// Admissions are recorded in queue order, so the admitted are always the first this many.
    public private(set) var admittedCount = 0

    public init(onSaleAt: Date, admitPerMinute: Int) {
        self.onSaleAt = onSaleAt
        self.admitPerMinute = admitPerMinute
    }

    /// How many are queued.
    public var count: Int { early.count + late.count }

    /// The queue as it stands once sales open: early buyers by ticket, then late ones.
    public var order: [String] { early.map(\.userId) + late }

    mutating func join(_ joined: QueueJoined) {
        guard members.insert(joined.userId).inserted else { return }
        if joined.at < onSaleAt {
            let key = (joined.ticket, joined.userId)
            let index = early.firstIndex { ($0.ticket, $0.userId) > key } ?? early.endIndex
            early.insert(joined, at: index)
        } else {
            late.append(joined.userId)
        }
    }

    mutating func admit(_ count: Int) { admittedCount += count }

    public func isQueued(_ userId: String) -> Bool { members.contains(userId) }

    /// Where a buyer stands in the queue (0 = first), nil when not queued.
    func index(of userId: String) -> Int? {
        guard members.contains(userId) else { return nil }
        if let index = early.firstIndex(where: { $0.userId == userId }) { return index }
        return late.firstIndex(of: userId).map { early.count + $0 }
    }

    /// A buyer's place once sales have opened (1 = first), nil before or when not queued.
    public func place(of userId: String, at now: Date) -> Int? {
        guard now >= onSaleAt else { return nil }
        return index(of: userId).map { $0 + 1 }
    }

    /// Whether a late arrival's place is already final (an early one's is drawn when sales open).
    public func arrivedLate(_ userId: String) -> Bool { late.contains(userId) }

    /// When the buyer at `place` is admitted.
    public func admitAt(place: Int) -> Date {
        onSaleAt.addingTimeInterval(Double(place - 1) * 60 / Double(admitPerMinute))
    }

    /// How many of the queue are admitted by `now` (their turn has come, recorded or not).
    public func dueCount(at now: Date) -> Int {
        guard now >= onSaleAt else { return 0 }
        let turns = Int((now.timeIntervalSince(onSaleAt) * Double(admitPerMinute) / 60).rounded(.down)) + 1
        return min(turns, count)
    }

    /// Whether everyone queued has had their turn: from then on, anyone may book.
    public func isEmpty(at now: Date) -> Bool { now >= onSaleAt && dueCount(at: now) >= count }

    /// The buyers from `range` of the queue, in order.
    func userIds(_ range: Range<Int>) -> [String] {
        range.map { $0 < early.count ? early[$0].userId : late[$0 - early.count] }
    }
}

/// Payload of `WaitingRoomOpened`.
public struct WaitingRoomOpened: Codable, Equatable, Sendable {
    public var onSaleAt: Date
    public var admitPerMinute: Int
    public var at: Date

    public init(onSaleAt: Date, admitPerMinute: Int, at: Date) {
        self.onSaleAt = onSaleAt
        self.admitPerMinute = admitPerMinute
        self.at = at
    }
}

/// Payload of `QueueJoined`: `ticket` is drawn at random by the gateway and orders the buyers who
/// arrived before sales opened (the decider itself stays a pure function).
public struct QueueJoined: Codable, Equatable, Sendable {
    public var userId: String
    public var ticket: UInt64
    public var at: Date

    public init(userId: String, ticket: UInt64, at: Date) {
        self.userId = userId
        self.ticket = ticket
        self.at = at
    }
}

/// Payload of `Admitted`: buyers whose turn had come, in queue order, recorded with the first booking
/// decided after it.
public struct Admitted: Codable, Equatable, Sendable {
    public var userIds: [String]
    public var at: Date

    public init(userIds: [String], at: Date) {
        self.userIds = userIds
        self.at = at
    }
}

extension SessionDecider {
    static let maxAdmitPerMinute = 1_000_000

    static func openRoom(_ opened: WaitingRoomOpened, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard state.session != nil else { throw .notFound("session") }
        guard state.room == nil else { throw .alreadyExists("waiting room") }
        guard (1...maxAdmitPerMinute).contains(opened.admitPerMinute) else {
            throw .invalid("admitPerMinute must be 1 to \(maxAdmitPerMinute)")
        }
        guard opened.onSaleAt > now else { throw .invalid("onSaleAt must be in the future") }
        return [.waitingRoomOpened(WaitingRoomOpened(onSaleAt: opened.onSaleAt, admitPerMinute: opened.admitPerMinute, at: now))]
    }

    static func joinQueue(_ userId: String, ticket: UInt64, _ state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard state.session != nil else { throw .notFound("session") }
        guard let room = state.room else { throw .notFound("waiting room") }
        guard !room.isQueued(userId) else { return [] }
        guard !room.isEmpty(at: now) else { throw .roomEmpty }
        return [.queueJoined(QueueJoined(userId: userId, ticket: ticket, at: now))]
    }

    /// Whether `userId` may book now; the `Admitted` event to record first when their turn has come.
    static func admission(of userId: String, in state: SessionState, now: Date) throws(DomainError) -> [SessionEvent] {
        guard let room = state.room, !room.isEmpty(at: now) else { return [] }
        // No turn without a place in the queue; before sales open, a queued buyer's turn is not drawn yet.
        guard let index = room.index(of: userId) else { throw .notAdmitted(place: nil, admitAt: nil) }
        guard now >= room.onSaleAt else { throw .notAdmitted(place: nil, admitAt: room.onSaleAt) }
        if index < room.admittedCount { return [] }
        let due = room.dueCount(at: now)
        guard index < due else { throw .notAdmitted(place: index + 1, admitAt: room.admitAt(place: index + 1)) }
        // Everyone due so far is recorded in queue order, so the log never shows an admission out of turn.
        return [.admitted(Admitted(userIds: room.userIds(room.admittedCount..<due), at: now))]
    }
}

extension SessionOutcome {
    /// With a queued buyer's place and the time of their turn.
    func placing(_ place: Int?, in room: WaitingRoom) -> SessionOutcome {
        var outcome = self
        outcome.place = place
        outcome.admitAt = place.map { room.admitAt(place: $0) }
        return outcome
    }
}
