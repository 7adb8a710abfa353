import Foundation

/// A session's sales window and per-buyer cap, checked for every new booking against the same stream
/// version as its seats: a buyer racing themselves from two devices cannot pass the cap either.
enum SalesRules {
    static let maxCap = 10_000

    static func validate(_ sales: SalesSettings) throws(DomainError) {
        if let cap = sales.maxSeatsPerUser, !(1...maxCap).contains(cap) {
            throw .invalid("maxSeatsPerUser must be 1 to \(maxCap)")
        }
        if let open = sales.salesOpenAt, let close = sales.salesCloseAt, open >= close {
            throw .invalid("salesOpenAt must be before salesCloseAt")
        }
    }

    /// Refuses a booking of `wants` seats or tickets by `userId` outside the window or past the cap. A hold
    /// past its deadline no longer counts: it holds nothing.
    static func check(_ userId: String, wants: Int, in state: SessionState, now: Date) throws(DomainError) {
        guard let session = state.session else { return }
        if let open = session.salesOpenAt, now < open { throw .salesClosed(opensAt: open, closesAt: session.salesCloseAt) }
        if let close = session.salesCloseAt, now >= close { throw .salesClosed(opensAt: session.salesOpenAt, closesAt: close) }
        guard let cap = session.maxSeatsPerUser else { return }
        let held = state.bookings.values
            .filter { $0.userId == userId && $0.status.isActive && !$0.isDueHold(at: now) }
            .reduce(0) { $0 + ($1.seats?.count ?? $1.qty ?? 0) }
        guard held + wants <= cap else { throw .seatLimitReached(limit: cap, held: held) }
    }
}
