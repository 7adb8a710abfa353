import Foundation

/// A session's event log folded from `GET /sessions/:id/history` (admin): the authoritative record
/// the correctness checks compare the clients' tallies with.
struct LogFold: Sendable {
    var bookingsPlaced = 0
    /// Seat id → booking, for active (held or confirmed) bookings.
    var activeSeats: [String: String] = [:]
    var seatsBookedTwice: [String] = []
    var versionsContiguous = true
    /// GA tickets held or booked.
    var ticketsTaken = 0
    var lowestRemaining = Int.max
    var lastPosition: Int64 = 0

    static func read(_ api: APIClient, admin: String, session: String, capacity: Int? = nil) async throws -> LogFold {
        let history = try await api.expect(200, .GET, "/sessions/\(session)/history", token: admin)
        var fold = LogFold()
        var seatsOf: [String: [String]] = [:]
        var qtyOf: [String: Int] = [:]
        var active = Set<String>()
        for (index, item) in history.array.enumerated() {
            let entry = item as? [String: any Sendable] ?? [:]
            if Int(entry["version"] as? Double ?? 0) != index + 1 { fold.versionsContiguous = false }
            fold.lastPosition = max(fold.lastPosition, Int64(entry["position"] as? Double ?? 0))
            let data = entry["data"] as? [String: any Sendable] ?? [:]
            let booking = data["bookingId"] as? String ?? ""
            switch entry["type"] as? String {
            case "BookingPlaced":
                fold.bookingsPlaced += 1
                active.insert(booking)
                let seats = (data["seats"] as? [any Sendable] ?? []).compactMap { $0 as? String }
                seatsOf[booking] = seats
                for seat in seats {
                    if fold.activeSeats[seat] != nil { fold.seatsBookedTwice.append(seat) }
                    fold.activeSeats[seat] = booking
                }
                let qty = Int(data["qty"] as? Double ?? 0)
                qtyOf[booking] = qty
                fold.ticketsTaken += qty
            case "BookingCancelled", "HoldExpired":
                guard active.remove(booking) != nil else { break }
                for seat in seatsOf[booking] ?? [] where fold.activeSeats[seat] == booking { fold.activeSeats[seat] = nil }
                fold.ticketsTaken -= qtyOf[booking] ?? 0
            default:
                break
            }
            if let capacity { fold.lowestRemaining = min(fold.lowestRemaining, capacity - fold.ticketsTaken) }
        }
        return fold
    }
}
