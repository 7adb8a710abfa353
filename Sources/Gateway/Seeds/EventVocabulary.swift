import Commands
import Foundation
import Projections

/// Seed 003's words (`seeds/003…`, GA events): an event has a `name` and sections with `remaining`, a
/// booking names its `eventId`. Its models are written for a document store, so ids are also given as `_id`.
enum EventVocabulary {
    /// `GET /events/:id` and `POST /events/create`: `Event {_id, name, sections: [{_id, name, price, capacity,
    /// remaining}]}`.
    struct Event: Encodable {
        struct Section: Encodable {
            var id: String
            var _id: String
            var name: String
            var price: Decimal
            var capacity: Int
            var remaining: Int
        }
        var id: String
        var _id: String
        var name: String
        var startsAt: Date?
        var sections: [Section]
        /// Set on the answer of a command.
        var position: Int64?

        /// An event as just scheduled: every place is free.
        init(scheduled: SessionScheduled, position: Int64) {
            var state = SessionDecider.initialState
            SessionDecider.evolve(&state, .scheduled(scheduled))
            self.init(state, position: position)
        }

        /// A seated session's sections count seats: capacity is the section's seats, remaining the ones
        /// nobody holds.
        init(_ state: SessionState, position: Int64? = nil) {
            let session = state.session!
            id = session.sessionId
            _id = session.sessionId
            name = session.title
            startsAt = session.startsAt
            self.position = position
            var freeSeats: [String: Int] = [:]
            for (seat, info) in state.seats where state.seatHolder[seat] == nil {
                freeSeats[info.sectionId, default: 0] += 1
            }
            sections =
                session.gaSections.map {
                    Section(id: $0.id, _id: $0.id, name: $0.name, price: $0.price, capacity: $0.capacity, remaining: state.remaining(in: $0.id))
                }
                + session.seatSections.map { section in
                    let capacity = section.rows.reduce(0) { $0 + $1.seats }
                    return Section(
                        id: section.id, _id: section.id, name: section.name, price: section.price, capacity: capacity,
                        remaining: freeSeats[section.id, default: 0])
                }
        }
    }

    /// A booking: `Booking {_id, eventId, sectionId, qty, createdAt}` and what Boxoffice adds to it.
    struct Booking: Encodable {
        struct Ref: Encodable {
            var id: String
            var name: String
        }
        var id: String
        var _id: String
        var eventId: String
        var userId: String
        var status: BookingStatus
        var sectionId: String?
        var qty: Int?
        var seats: [String]?
        var amount: Decimal
        var holdExpiresAt: Date?
        var createdAt: Date
        /// The event and section by name, as 003's `GET /bookings` lists them.
        var event: Ref?
        var section: Ref?
        /// On a command's answer.
        var position: Int64?
        var remaining: Int?

        init(_ booking: Commands.Booking, eventId: String, position: Int64, remaining: Int?) {
            id = booking.id
            _id = booking.id
            self.eventId = eventId
            userId = booking.userId
            status = booking.status
            sectionId = booking.sectionId
            qty = booking.qty
            seats = booking.seats
            amount = booking.amount
            holdExpiresAt = booking.status == .held ? booking.holdExpiresAt : nil
            createdAt = booking.createdAt
            self.position = position
            self.remaining = remaining
        }

        init(_ document: BookingDocument) {
            id = document.id
            _id = document.id
            eventId = document.sessionId
            userId = document.userId
            status = document.status
            sectionId = document.sectionId
            qty = document.qty
            seats = document.seats
            amount = document.amount
            holdExpiresAt = document.holdExpiresAt
            createdAt = document.createdAt
            event = Ref(id: document.sessionId, name: document.sessionTitle)
            section = document.sections.first.map { Ref(id: $0.id, name: $0.name) }
        }
    }
}
