import Foundation

/// Why a command was refused. Plain values: the gateway maps each to one HTTP status and code.
public enum DomainError: Error, Equatable, Sendable {
    /// The command is malformed for this aggregate (unknown seats, bad quantity, wrong kind of session).
    case invalid(String)
    /// The named thing does not exist (`session`, `booking`, `section`, `hall`, `user`).
    case notFound(String)
    /// The actor may not act on this booking.
    case forbidden
    /// These requested seats are held or booked by someone else.
    case seatUnavailable([String])
    /// A GA section has fewer places than asked for (or, apart, a best-available request more seats).
    case insufficientCapacity(remaining: Int)
    /// No row has this many adjacent free seats; `largest` is the longest run there is.
    case noSeatsTogether(largest: Int)
    /// The session refuses reservations that leave this seat alone between taken ones or a row's end.
    case wouldStrandSeat(String)
    /// The booking is not a live hold that may be extended again (the reason says which rule).
    case holdNotExtendable(String)
    /// The session does not sell now: before `opensAt` or from `closesAt` on.
    case salesClosed(opensAt: Date?, closesAt: Date?)
    /// The user would hold more than the session's `maxSeatsPerUser` (`held` already).
    case seatLimitReached(limit: Int, held: Int)
    /// The session or section is not sold out: this many places are free, so the buyer should book.
    case placesAvailable(Int)
    /// A waiting room is in force and this buyer's turn has not come (`place` in the queue and when it
    /// comes, when known).
    case notAdmitted(place: Int?, admitAt: Date?)
    /// The waiting room has admitted everyone: there is no queue to join, book directly.
    case roomEmpty
    /// The block holds no seats any more: released, or every seat booked from it.
    case blockEmpty(String)
    /// The hold ran out before it was confirmed.
    case holdExpired
    /// The booking was cancelled and cannot be confirmed.
    case bookingCancelled
    /// Another user registered this email first.
    case emailTaken
    /// The ticket let someone in before (when, at which gate): an online scan is refused.
    case alreadyCheckedIn(at: Date, gate: String)
    /// The ticket is not for a session whose doors are open now, or not for the scanner's session.
    case wrongSession(String)
    /// The aggregate was created before (ids are generated, so this means a replayed create).
    case alreadyExists(String)
}
