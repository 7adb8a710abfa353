import Foundation

/// The race (`boxoffice load race`): N buyers at once for a GA section with fewer places; proves no oversell.
public struct Race: Sendable {
    public var url: String
    public var adminToken: String
    public var capacity: Int
    public var clients: Int

    public init(url: String, adminToken: String, capacity: Int, clients: Int) {
        self.url = url
        self.adminToken = adminToken
        self.capacity = capacity
        self.clients = clients
    }

    /// Every buyer sends at once, so each needs its own connection.
    public func run() async throws -> ToolReport {
        try await APIClient.with(url: url, connections: clients) { api in try await race(api, admin: adminToken) }
    }

    private func race(_ api: APIClient, admin: String) async throws -> ToolReport {
        let event = try await api.expect(
            201, .POST, "/events/create", token: admin,
            body: [
                "name": "Race \(Date())", "sections": [["name": "Floor", "price": 10, "capacity": capacity]],
            ])
        guard let eventId = event.json["id"] as? String else { throw APIClient.Failure(description: "no event id") }
        var tokens: [String] = []
        for index in 0..<clients {
            let user = try await api.expect(
                201, .POST, "/users", token: nil,
                body: [
                    "name": "Racer \(index)", "email": "racer-\(index)-\(UUID().uuidString.prefix(8))@race.test",
                ])
            tokens.append(user.json["token"] as? String ?? "")
        }

        let started = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for token in tokens {
                group.addTask {
                    let reply = try await api.send(.POST, "/book", token: token, body: ["eventId": eventId, "qty": 1])
                    return (reply.status, (reply.json["error"] as? [String: any Sendable])?["code"] as? String)
                }
            }
            return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started

        let history = try await api.expect(200, .GET, "/sessions/\(eventId)/history", token: admin)
        var remaining = capacity
        var lowest = capacity
        var booked = 0
        var versions: [Int] = []
        for case let entry as [String: any Sendable] in history.array {
            versions.append(Int(entry["version"] as? Double ?? 0))
            let data = entry["data"] as? [String: any Sendable] ?? [:]
            let qty = Int(data["qty"] as? Double ?? 0)
            switch entry["type"] as? String {
            case "BookingPlaced":
                remaining -= qty
                booked += qty
            case "BookingCancelled", "HoldExpired": remaining += qty
            default: break
            }
            lowest = min(lowest, remaining)
        }
        let succeeded = statuses.filter { $0.0 == 201 }.count
        let rejected = statuses.filter { $0.0 == 409 && $0.1 == "insufficient_capacity" }.count
        let other = statuses.count - succeeded - rejected
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let contiguous = versions == Array(1...max(versions.count, 1)).prefix(versions.count).map { $0 }
        let text = """
            race: \(clients) clients, 1 ticket each, capacity \(capacity) (event \(eventId))
              succeeded (201):                   \(succeeded)
              rejected (409 insufficient):       \(rejected)
              other answers:                     \(other)
              booked according to the event log: \(booked)
              lowest remaining in the log:       \(lowest)  (never below 0: \(lowest >= 0 ? "yes" : "NO"))
              booked <= capacity:                \(booked <= capacity ? "yes" : "NO")
              versions contiguous:               \(contiguous ? "yes" : "NO")
              elapsed:                           \(String(format: "%.1f", seconds * 1000)) ms (\(String(format: "%.0f", Double(clients) / max(seconds, 1e-9))) requests/s)
            """
        let correct =
            lowest >= 0 && booked <= capacity && booked == succeeded && contiguous && other == 0
            && succeeded == min(capacity, clients)
        return ToolReport(text: text, ok: correct)
    }
}
