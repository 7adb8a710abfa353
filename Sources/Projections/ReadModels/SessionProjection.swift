import Commands
import EventStore
import Foundation

/// Everything read from a session stream: the session list entry, the seat map, and the bookings.
/// One projection, so the three commit together and always agree.
public struct SessionProjection: ReadModel {
    public static let sessions = Collection(projection: "sessions", name: "sessions")
    public static let seatMaps = Collection(projection: "sessions", name: "seatmaps")
    public static let bookings = Collection(projection: "sessions", name: "bookings")

    public let name = "sessions"

    public init() {}

    static func sessionId(of event: StoredEvent) -> String { Streams.sessionId(ofStream: event.streamId) }

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        let session = Self.sessionId(of: event)
        var keys = [DocumentKey(Self.sessions, session), DocumentKey(Self.seatMaps, session)]
        if let bookingId = Self.bookingId(in: event) { keys.append(DocumentKey(Self.bookings, bookingId)) }
        return keys
    }

    public func createdKeys(for event: StoredEvent) -> [DocumentKey] { Self.placedBooking(event, in: Self.bookings) }

    /// The booking document of `collection` that a `BookingPlaced` creates.
    static func placedBooking(_ event: StoredEvent, in collection: Collection) -> [DocumentKey] {
        guard event.type == EventType.bookingPlaced.rawValue || event.type == EventType.seatsOffered.rawValue,
            let bookingId = bookingId(in: event)
        else { return [] }
        return [DocumentKey(collection, bookingId)]
    }

    public func streamKeys(for event: StoredEvent) -> [DocumentKey] {
        let session = Self.sessionId(of: event)
        return [DocumentKey(Self.sessions, session), DocumentKey(Self.seatMaps, session)]
    }

    static func bookingId(in event: StoredEvent) -> String? {
        guard !withoutBookingDocument.contains(event.type) else { return nil }
        return TopLevelJSON.string("bookingId", in: event.data)
    }

    /// Session events no booking document follows, though tickets name their booking.
    private static let withoutBookingDocument: Set<String> = Set(
        [EventType.sessionScheduled, .ticketIssued, .ticketVoided, .ticketCheckedIn].map(\.rawValue))

    public func evolve(_ documents: inout DocumentSet, _ decoded: SessionEvent, _ event: StoredEvent) throws {
        let session = Self.sessionId(of: event)
        let sessionKey = DocumentKey(Self.sessions, session)
        let mapKey = DocumentKey(Self.seatMaps, session)
        let bookingKey = Self.bookingId(in: event).map { DocumentKey(Self.bookings, $0) }
        let version = Int64(event.version)
        // Each document is guarded by its own version: a store without multi-document transactions
        // (MongoDB) may have written some of a commit's documents and not others when it crashed, and
        // redelivery must complete those without applying anything twice (a GA hold counted twice).
        func behind(_ key: DocumentKey) -> Bool { documents.version(of: key) < version }

        if case .scheduled(let scheduled) = decoded {
            var tally = SeatTally(scheduled: scheduled, version: event.version)
            tally.sessionId = session
            if behind(mapKey) { documents.put(mapKey, tally, version: version) }
            if behind(sessionKey) { documents.put(sessionKey, SessionDocument(scheduled, tally: tally), version: version) }
            return
        }
        if decoded.isAboutTheSessionOnly, decoded.setsAside == nil {
            // Sales settings, the waiting list: no seat moves; both stream documents take the event's
            // version so none looks behind.
            var tally = try documents.require(mapKey, as: SeatTally.self, for: event)
            var summary = try documents.require(sessionKey, as: SessionDocument.self, for: event)
            if behind(mapKey) {
                tally.version = event.version
                documents.put(mapKey, tally, version: version)
            }
            if behind(sessionKey) {
                if case .salesChanged(let sales) = decoded {
                    (summary.maxSeatsPerUser, summary.salesOpenAt, summary.salesCloseAt) = (
                        sales.maxSeatsPerUser, sales.salesOpenAt, sales.salesCloseAt
                    )
                }
                summary.version = event.version
                documents.put(sessionKey, summary, version: version)
            }
            return
        }
        if let (seats, blocked) = decoded.setsAside {
            var tally = try documents.require(mapKey, as: SeatTally.self, for: event)
            var summary = try documents.require(sessionKey, as: SessionDocument.self, for: event)
            if behind(mapKey) {
                var statuses = SeatsOfBooking(previous: blocked ? .available : .blocked)
                tally.setAside(seats, blocked: blocked, seats: &statuses)
                tally.version = event.version
                documents.put(mapKey, tally, version: version)
            }
            if behind(sessionKey) {
                summary.refresh(from: tally)
                documents.put(sessionKey, summary, version: version)
            }
            return
        }
        guard let bookingKey else { return }
        // The seat map's durable form is its tally: which seats a booking holds is in the booking itself,
        // so a booking event rewrites a few hundred bytes whatever the size of the hall.
        var tally = try documents.require(mapKey, as: SeatTally.self, for: event)
        var summary = try documents.require(sessionKey, as: SessionDocument.self, for: event)

        var booking: BookingDocument
        let previous: BookingStatus?
        var placedFromBlock = false
        switch decoded {
        case .bookingPlaced(let placed), .seatsOffered(let placed):
            let sectionIds = placed.sectionId.map { [$0] } ?? summary.sectionIds(ofSeats: placed.seats ?? [])
            booking = BookingDocument(placed, session: summary, sectionIds: sectionIds, position: event.position)
            if case .seatsOffered = decoded { booking.offered = true }
            previous = nil
            placedFromBlock = placed.blockId != nil
        case .bookingConfirmed(let change), .bookingCancelled(let change), .holdExpired(let change), .offerExpired(let change):
            var existing = try documents.require(bookingKey, as: BookingDocument.self, for: event)
            // The booking's stored status is what the seat map moves from. It is never ahead of the map:
            // stores write seat maps before bookings (see `MongoLayout.commitOrder`).
            previous = existing.status
            existing.status = decoded.resultingStatus!
            existing.holdExpiresAt = existing.status == .held ? existing.holdExpiresAt : nil
            existing.updatedAt = change.at
            existing.position = event.position
            booking = existing
        case .holdExtended(let extended):
            // Held before and after: the tally's move below changes no count, only versions advance.
            var existing = try documents.require(bookingKey, as: BookingDocument.self, for: event)
            previous = existing.status
            existing.holdExpiresAt = existing.status == .held ? extended.holdExpiresAt : existing.holdExpiresAt
            existing.updatedAt = extended.at
            existing.position = event.position
            booking = existing
        case .scheduled, .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .waitingRoomOpened, .queueJoined,
            .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn:
            return
        }
        if behind(mapKey) {
            var seats = SeatsOfBooking(previous: placedFromBlock ? .blocked : SeatStatus(occupiedBy: previous))
            tally.move(booking.occupancy, from: previous, to: booking.status, seats: &seats)
            tally.version = event.version
            documents.put(mapKey, tally, version: version)
        }
        if behind(sessionKey) {
            summary.refresh(from: tally)
            documents.put(sessionKey, summary, version: version)
        }
        if behind(bookingKey) { documents.put(bookingKey, booking, version: version) }
    }
}

extension SessionEvent {
    /// A confirmation, cancellation or expiry: an event about a booking an earlier event placed.
    var changesABooking: Bool {
        switch self {
        case .bookingConfirmed, .bookingCancelled, .holdExpired, .holdExtended, .offerExpired: true
        case .scheduled, .bookingPlaced, .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .seatsOffered,
            .waitingRoomOpened, .queueJoined, .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn:
            false
        }
    }

    /// Sales settings, blocks, tickets: session events that no booking document follows.
    var isAboutTheSessionOnly: Bool {
        switch self {
        case .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .waitingRoomOpened, .queueJoined, .admitted,
            .ticketIssued, .ticketVoided, .ticketCheckedIn:
            true
        case .scheduled, .bookingPlaced, .bookingConfirmed, .bookingCancelled, .holdExpired, .holdExtended, .seatsOffered, .offerExpired:
            false
        }
    }

    /// The seats a block event keeps back from sale (`blocked`) or puts back on it.
    var setsAside: (seats: [String], blocked: Bool)? {
        switch self {
        case .seatsBlocked(let blocked): (blocked.seats, true)
        case .seatsReleased(let released): (released.seats, false)
        default: nil
        }
    }

    /// The status a booking has after this event.
    public var resultingStatus: BookingStatus? {
        switch self {
        case .bookingPlaced(let placed), .seatsOffered(let placed): placed.status
        case .bookingConfirmed: .confirmed
        case .bookingCancelled: .cancelled
        case .holdExpired, .offerExpired: .expired
        case .holdExtended: .held
        case .scheduled, .salesChanged, .seatsBlocked, .seatsReleased, .waitlistJoined, .waitlistLeft, .waitingRoomOpened, .queueJoined,
            .admitted, .ticketIssued, .ticketVoided, .ticketCheckedIn:
            nil
        }
    }
}

extension BookingDocument {
    /// What the booking occupies, for the seat map's transition.
    var occupancy: Occupancy { Occupancy(seats: seats, sectionId: sectionId, qty: qty, holdExpiresAt: holdExpiresAt) }
}

extension SessionDocument {
    init(_ scheduled: SessionScheduled, tally: SeatTally) {
        self.init(
            id: scheduled.sessionId, title: scheduled.title, kind: scheduled.kind, hall: scheduled.hall,
            startsAt: scheduled.startsAt,
            sections: scheduled.seatSections.map {
                Section(id: $0.id, name: $0.name, price: $0.price, rows: $0.rows, seatCount: $0.rows.reduce(0) { $0 + $1.seats })
            }
                + scheduled.gaSections.map {
                    Section(id: $0.id, name: $0.name, price: $0.price, capacity: $0.capacity, remaining: $0.capacity, held: 0, booked: 0)
                },
            counts: tally.summary, version: tally.version, singleSeatRule: scheduled.singleSeatRule,
            maxSeatsPerUser: scheduled.maxSeatsPerUser, salesOpenAt: scheduled.salesOpenAt, salesCloseAt: scheduled.salesCloseAt)
    }

    /// The layout this document was made from.
    var scheduled: SessionScheduled {
        var scheduled = SessionScheduled(
            sessionId: id, title: title, startsAt: startsAt, kind: kind, hall: hall,
            seatSections: sections.compactMap { section in
                section.rows.map { SeatSection(id: section.id, name: section.name, price: section.price, rows: $0) }
            },
            gaSections: sections.compactMap { section in
                section.capacity.map { GASection(id: section.id, name: section.name, price: section.price, capacity: $0) }
            }, singleSeatRule: singleSeatRule)
        scheduled.sales = SalesSettings(maxSeatsPerUser: maxSeatsPerUser, salesOpenAt: salesOpenAt, salesCloseAt: salesCloseAt)
        return scheduled
    }

    /// Copies counts and GA figures from the seat map after it changed.
    mutating func refresh(from tally: SeatTally) {
        counts = tally.summary
        version = tally.version
        for section in tally.sections {
            guard let index = sections.firstIndex(where: { $0.id == section.id }) else { continue }
            sections[index].remaining = section.remaining
            sections[index].held = section.held
            sections[index].booked = section.booked
        }
    }
}

extension SessionDocument {
    /// The seated sections these seats are in (a seat id is its row label and its number in the row).
    func sectionIds(ofSeats seats: [String]) -> Set<String> {
        var ids: Set<String> = []
        for seat in seats {
            let label = seat.prefix { $0.isLetter }
            guard let number = Int(seat.dropFirst(label.count)) else { continue }
            if let section = sections.first(where: { $0.rows?.contains { $0.row == label && (1...max($0.seats, 1)).contains(number) } == true }) {
                ids.insert(section.id)
            }
        }
        return ids
    }
}

extension BookingDocument {
    init(_ placed: BookingPlaced, session: SessionDocument, sectionIds: Set<String>, position: Int64) {
        self.init(
            id: placed.bookingId, sessionId: session.id, sessionTitle: session.title, sessionKind: session.kind,
            userId: placed.userId, status: placed.status, seats: placed.seats, sectionId: placed.sectionId, qty: placed.qty,
            sections: session.sections.filter { sectionIds.contains($0.id) }.map { SectionRef(id: $0.id, name: $0.name) },
            amount: placed.amount, holdExpiresAt: placed.holdExpiresAt, createdAt: placed.createdAt,
            updatedAt: placed.createdAt, position: position, guestName: placed.guestName)
    }
}
