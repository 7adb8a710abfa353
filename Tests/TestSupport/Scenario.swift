import Foundation

/// Sets up halls, sessions, events and users through the HTTP API of a running server.
public struct Scenario: Sendable {
    public let baseURL: String
    public let adminToken: String

    public init(baseURL: String, adminToken: String) {
        self.baseURL = baseURL
        self.adminToken = adminToken
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    func created(_ path: String, _ body: [String: Any], token: String?) async throws -> [String: Any] {
        let reply = try await HTTP.send(.POST, baseURL + path, token: token, json: body)
        guard reply.status == 201 else { throw Failure(description: "POST \(path) -> \(reply.status): \(reply.text)") }
        return reply.json
    }

    /// A seated session in a new hall of `rows` × `seatsPerRow` (rows A, B, …).
    public func seatedSession(rows: Int = 3, seatsPerRow: Int = 10, price: Double = 12.5) async throws -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let labels: [String] = (0..<rows).map { index in
            index < 26 ? String(letters[index]) : "A" + String(letters[index - 26])
        }
        let rowList: [[String: Any]] = labels.map { ["row": $0, "seats": seatsPerRow] }
        let section: [String: Any] = ["id": "main", "name": "Main", "price": price, "rows": rowList]
        let hallBody: [String: Any] = ["name": "Hall \(UUID().uuidString.prefix(6))", "sections": [section]]
        let hall = try await created("/halls", hallBody, token: adminToken)
        let session = try await created(
            "/sessions",
            [
                "title": "Screening", "hallId": hall["id"] as! String, "startsAt": "2026-12-24T20:00:00Z",
            ], token: adminToken)
        return session["id"] as! String
    }

    /// A general-admission event with one section of `capacity`.
    public func gaEvent(capacity: Int, price: Double = 30) async throws -> String {
        let event = try await created(
            "/events/create",
            [
                "name": "Gig \(UUID().uuidString.prefix(6))", "sections": [["name": "Floor", "price": price, "capacity": capacity]],
            ], token: adminToken)
        return event["id"] as! String
    }

    /// Registers a user and returns (id, token).
    public func user(_ name: String = "Buyer") async throws -> (id: String, token: String) {
        let user = try await created("/users", ["name": name, "email": "\(UUID().uuidString.lowercased())@example.test"], token: nil)
        return (user["id"] as! String, user["token"] as! String)
    }

    /// Registers `count` users in parallel.
    public func users(_ count: Int) async throws -> [(id: String, token: String)] {
        try await withThrowingTaskGroup(of: (id: String, token: String).self) { group in
            for index in 0..<count { group.addTask { try await user("Buyer \(index)") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// The session's full event history (admin).
    public func history(_ sessionId: String) async throws -> [[String: Any]] {
        let reply = try await HTTP.send(.GET, "\(baseURL)/sessions/\(sessionId)/history", token: adminToken)
        guard reply.status == 200 else { throw Failure(description: "history -> \(reply.status): \(reply.text)") }
        return reply.array
    }
}

/// Folds a history into the seats each active booking holds, reporting any seat taken twice: by two live
/// bookings, by a block and a booking not made from it, or by two blocks.
public struct HistoryFold {
    public var activeSeats: [String: String] = [:]
    /// The block each blocked seat is in.
    public var blockedSeats: [String: String] = [:]
    public var doubleBooked: [String] = []
    public var placed = 0
    public var versionsContiguous = true
    public var gaTaken = 0
    public var lowestGARemaining = Int.max

    public init(_ history: [[String: Any]], capacity: Int? = nil) {
        var seatsOf: [String: [String]] = [:]
        var qtyOf: [String: Int] = [:]
        var active = Set<String>()
        for (index, entry) in history.enumerated() {
            if (entry["version"] as? Int) != index + 1 { versionsContiguous = false }
            let data = entry["data"] as? [String: Any] ?? [:]
            let bookingId = data["bookingId"] as? String ?? ""
            switch entry["type"] as? String {
            case "BookingPlaced", "SeatsOffered":
                if entry["type"] as? String == "BookingPlaced" { placed += 1 }
                active.insert(bookingId)
                let seats = data["seats"] as? [String] ?? []
                let fromBlock = data["blockId"] as? String
                seatsOf[bookingId] = seats
                for seat in seats {
                    if activeSeats[seat] != nil || blockedSeats[seat] != fromBlock { doubleBooked.append(seat) }
                    activeSeats[seat] = bookingId
                    blockedSeats[seat] = nil
                }
                qtyOf[bookingId] = data["qty"] as? Int ?? 0
                gaTaken += qtyOf[bookingId]!
            case "BookingCancelled", "HoldExpired", "OfferExpired":
                guard active.remove(bookingId) != nil else { continue }
                for seat in seatsOf[bookingId] ?? [] where activeSeats[seat] == bookingId { activeSeats[seat] = nil }
                gaTaken -= qtyOf[bookingId] ?? 0
            case "SeatsBlocked":
                for seat in data["seats"] as? [String] ?? [] {
                    if activeSeats[seat] != nil || blockedSeats[seat] != nil { doubleBooked.append(seat) }
                    blockedSeats[seat] = data["blockId"] as? String
                }
            case "SeatsReleased":
                for seat in data["seats"] as? [String] ?? [] { blockedSeats[seat] = nil }
            default: break
            }
            if let capacity { lowestGARemaining = min(lowestGARemaining, capacity - gaTaken) }
        }
    }
}
