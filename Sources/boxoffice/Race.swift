import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `boxoffice load race`: N buyers at once for a GA section with fewer places; proves no oversell.
struct Race: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Race --clients parallel bookings of one ticket for a section of --capacity places.")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "Places in the section.") var capacity = 5
    @Option(help: "Parallel buyers, one ticket each.") var clients = 10
    @Option(name: .customLong("admin-token"), help: "Admin token (env ADMIN_TOKEN).") var adminToken: String?

    func run() async throws {
        guard let admin = adminToken ?? Environment.value("ADMIN_TOKEN") else {
            throw ValidationError("the admin token is required (--admin-token or ADMIN_TOKEN) to create the event")
        }
        guard capacity >= 1, clients >= 1, clients <= 10_000 else { throw ValidationError("capacity and clients must be positive") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton,
                              configuration: .init(connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)))
        do {
            try await race(APIClient(http: http, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url), admin: admin)
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func race(_ api: APIClient, admin: String) async throws {
        let event = try await api.expect(201, .POST, "/events/create", token: admin, body: [
            "name": "Race \(Date())", "sections": [["name": "Floor", "price": 10, "capacity": capacity]],
        ])
        guard let eventId = event.json["id"] as? String else { throw APIClient.Failure(description: "no event id") }
        var tokens: [String] = []
        for index in 0..<clients {
            let user = try await api.expect(201, .POST, "/users", token: nil, body: [
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
        var remaining = capacity, lowest = capacity, booked = 0
        var versions: [Int] = []
        for case let entry as [String: any Sendable] in history.array {
            versions.append(Int(entry["version"] as? Double ?? 0))
            let data = entry["data"] as? [String: any Sendable] ?? [:]
            let qty = Int(data["qty"] as? Double ?? 0)
            switch entry["type"] as? String {
            case "BookingPlaced": remaining -= qty; booked += qty
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
        print("""
            race: \(clients) clients, 1 ticket each, capacity \(capacity) (event \(eventId))
              succeeded (201):                   \(succeeded)
              rejected (409 insufficient):       \(rejected)
              other answers:                     \(other)
              booked according to the event log: \(booked)
              lowest remaining in the log:       \(lowest)  (never below 0: \(lowest >= 0 ? "yes" : "NO"))
              booked <= capacity:                \(booked <= capacity ? "yes" : "NO")
              versions contiguous:               \(contiguous ? "yes" : "NO")
              elapsed:                           \(String(format: "%.1f", seconds * 1000)) ms (\(String(format: "%.0f", Double(clients) / max(seconds, 1e-9))) requests/s)
            """)
        let correct = lowest >= 0 && booked <= capacity && booked == succeeded && contiguous && other == 0
            && succeeded == min(capacity, clients)
        if !correct { throw ExitCode(1) }
    }
}
