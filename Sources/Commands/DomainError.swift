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
    /// A GA section has fewer places than asked for.
    case insufficientCapacity(remaining: Int)
    /// The hold ran out before it was confirmed.
    case holdExpired
    /// The booking was cancelled and cannot be confirmed.
    case bookingCancelled
    /// Another user registered this email first.
    case emailTaken
    /// The aggregate was created before (ids are generated, so this means a replayed create).
    case alreadyExists(String)
}
