/// Every event type the log can hold. Stores, projections and tools take their type names from here,
/// so a name is spelled once; the raw values are what the `type` column stores and must never change.
public enum EventType: String, CaseIterable, Codable, Sendable {
    case sessionScheduled = "SessionScheduled"
    case bookingPlaced = "BookingPlaced"
    case bookingConfirmed = "BookingConfirmed"
    case bookingCancelled = "BookingCancelled"
    case holdExpired = "HoldExpired"
    case holdExtended = "HoldExtended"
    case sessionSalesChanged = "SessionSalesChanged"
    case seatsBlocked = "SeatsBlocked"
    case seatsReleased = "SeatsReleased"
    case waitlistJoined = "WaitlistJoined"
    case waitlistLeft = "WaitlistLeft"
    case seatsOffered = "SeatsOffered"
    case offerExpired = "OfferExpired"
    case waitingRoomOpened = "WaitingRoomOpened"
    case queueJoined = "QueueJoined"
    case admitted = "Admitted"
    case hallCreated = "HallCreated"
    case userRegistered = "UserRegistered"
    case emailClaimed = "EmailClaimed"
}
