import Foundation

/// The race (`boxoffice load race`): N buyers at once for a GA section with fewer places; proves no oversell.
/// Seated (`--seated`), it is seed 004's concurrency script: N guests at once for seat 1 of a show.
public struct Race: Sendable {
    public var url: String
    public var adminToken: String
    public var capacity: Int
    public var clients: Int
    public var seated: Bool

    public init(url: String, adminToken: String, capacity: Int, clients: Int, seated: Bool = false) {
        self.url = url
        self.adminToken = adminToken
        self.capacity = capacity
        self.clients = clients
        self.seated = seated
    }

    /// Every buyer sends at once, so each needs its own connection.
    public func run() async throws -> ToolReport {
        try await APIClient.with(url: url, connections: clients) { api in
            seated ? try await seatRace(api, admin: adminToken) : try await race(api, admin: adminToken)
        }
    }

    private func seatRace(_ api: APIClient, admin: String) async throws -> ToolReport {
        let show = try await api.expect(
            201, .POST, "/admin/shows", token: admin,
            body: ["name": "Race \(Date())", "start_time": "2025-12-11 19:00", "total_seats": capacity])
        guard let showId = show.json["showId"] as? String else { throw APIClient.Failure(description: "no show id") }
        let started = ContinuousClock.now
        let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<clients {
                group.addTask {
                    let reply = try await api.send(.POST, "/book", token: nil, body: ["showId": showId, "seats": [1], "userName": "Racer \(index)"])
                    return (reply.status, (reply.json["error"] as? [String: any Sendable])?["code"] as? String)
                }
            }
            return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started

        let history = try await api.expect(200, .GET, "/sessions/\(showId)/history", token: admin)
        var holders = 0
        var mostAtOnce = 0
        var versions: [Int] = []
        for case let entry as [String: any Sendable] in history.array {
            versions.append(Int(entry["version"] as? Double ?? 0))
            switch entry["type"] as? String {
            case "BookingPlaced": holders += 1
            case "BookingCancelled", "HoldExpired": holders -= 1
            default: break
            }
            mostAtOnce = max(mostAtOnce, holders)
        }
        let succeeded = statuses.filter { $0.0 == 201 }.count
        let rejected = statuses.filter { $0.0 == 409 && $0.1 == "seat_unavailable" }.count
        let other = statuses.count - succeeded - rejected
        let contiguous = versions == Array(1...max(versions.count, 1)).prefix(versions.count).map { $0 }
        let text = """
            race: \(clients) guests at once for seat 1 of a show of \(capacity) seats (show \(showId))
              succeeded (201):                      \(succeeded)
              rejected (409 seat_unavailable):      \(rejected)
              other answers:                        \(other)
              most holders of seat 1 at once (log): \(mostAtOnce)  (at most one: \(mostAtOnce <= 1 ? "yes" : "NO"))
              versions contiguous:                  \(contiguous ? "yes" : "NO")
              elapsed:                              \(String(format: "%.1f", Self.seconds(elapsed) * 1000)) ms
            """
        return ToolReport(text: text, ok: succeeded == 1 && rejected == clients - 1 && mostAtOnce == 1 && contiguous)
    }

    private static func seconds(_ elapsed: Duration) -> Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
        let seconds = Self.seconds(elapsed)
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
