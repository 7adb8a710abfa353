import Foundation

/// `boxoffice load room`: W1 behind an on-sale's waiting room. `clients` buyers queue before sales open,
/// learn their turn when they open, wait for it, then ask for the best pair until they get one or are
/// told it is sold out. Checks from the log: admissions were recorded in queue order (the random order
/// of the tickets, then arrival), no seat was sold twice, and every buyer booked or was told sold out.
public struct WaitingRoomRun: Sendable {
    public var url: String
    public var adminToken: String
    public var clients: Int
    public var admitPerMinute: Int
    public var rows: Int
    public var seatsPerRow: Int

    public init(url: String, adminToken: String, clients: Int, admitPerMinute: Int, rows: Int = 20, seatsPerRow: Int = 25) {
        self.url = url
        self.adminToken = adminToken
        self.clients = clients
        self.admitPerMinute = admitPerMinute
        self.rows = rows
        self.seatsPerRow = seatsPerRow
    }

    enum Outcome: Sendable, Equatable {
        case booked
        case soldOut
        case failed(String)
    }

    public func run() async throws -> ToolReport {
        try await APIClient.with(url: url, connections: min(clients, 512)) { api in
            let geometry = SeatGeometry(rows: rows, seatsPerRow: seatsPerRow)
            let session = try await SeatedSetup.sessions(api, admin: adminToken, geometry: geometry, count: 1)[0]
            let tokens = try await api.registerUsers(clients, tag: UUID().uuidString.prefix(8).lowercased())
            // Far enough ahead for every buyer to queue first (a few ms each on two cores).
            let onSaleAt = Date().addingTimeInterval(3 + Double(clients) / 200)
            _ = try await api.expect(
                201, .POST, "/sessions/\(session)/waiting-room", token: adminToken,
                body: ["onSaleAt": Stamp.string(onSaleAt), "admitPerMinute": admitPerMinute])
            let started = ContinuousClock.now
            let outcomes = try await inParallel(clients, width: clients) { index in
                await Self.buyer(api, session: session, token: tokens[index])
            }
            let elapsed = ContinuousClock.now - started
            return try await report(api, session: session, outcomes: outcomes, capacity: geometry.capacity, elapsed: elapsed)
        }
    }

    /// One buyer: queue, wait for the turn the server names, then book the best pair.
    private static func buyer(_ api: APIClient, session: String, token: String) async -> (Outcome, notAdmitted: Int) {
        do {
            let joined = try await retrying(201) { try await api.send(.POST, "/sessions/\(session)/queue", token: token) }
            // Everyone asks for their turn once sales open, spread over a second and a half as browsers would be.
            let opens = (joined.json["onSaleAt"] as? String).flatMap(Stamp.date) ?? Date()
            try await sleep(until: opens.addingTimeInterval(Double.random(in: 0..<1.5)))
            let status = try await retrying(200) { try await api.send(.GET, "/sessions/\(session)/queue", token: token) }
            try await sleep(until: (status.json["admitAt"] as? String).flatMap(Stamp.date))
            var refused = 0
            while true {
                let reply = try await api.send(.POST, "/sessions/\(session)/seats/reserve", token: token, body: ["count": 2, "confirm": true])
                let error = reply.json["error"] as? [String: any Sendable]
                switch (reply.status, error?["code"] as? String) {
                case (201, _): return (.booked, refused)
                case (409, "no_seats_together"?), (409, "insufficient_capacity"?): return (.soldOut, refused)
                case (409, "not_admitted"?):
                    // The server's clock decides; a client slightly ahead of it waits for the turn it names.
                    refused += 1
                    try await sleep(until: (error?["admitAt"] as? String).flatMap(Stamp.date) ?? Date().addingTimeInterval(0.1))
                case (503, _): try await Task.sleep(for: .milliseconds(50))
                default: return (.failed("\(reply.status) \(error?["code"] as? String ?? "")"), refused)
                }
            }
        } catch {
            return (.failed("\(error)"), 0)
        }
    }

    /// A request answered `expected`, asked again after a `503` (a server catching up), up to 20 times.
    private static func retrying(_ expected: Int, _ send: () async throws -> APIClient.Reply) async throws -> APIClient.Reply {
        for _ in 0..<20 {
            let reply = try await send()
            if reply.status == expected { return reply }
            guard reply.status == 503 else { throw APIClient.Failure(description: "answered \(reply.status): \(reply.json)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw APIClient.Failure(description: "still 503 after 20 tries")
    }

    private static func sleep(until date: Date?) async throws {
        guard let date else { return }
        let wait = date.timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
    }

    private func report(
        _ api: APIClient, session: String, outcomes: [(Outcome, notAdmitted: Int)], capacity: Int, elapsed: Duration
    ) async throws -> ToolReport {
        let history = try await api.expect(200, .GET, "/sessions/\(session)/history", token: adminToken).array
            .compactMap { $0 as? [String: any Sendable] }
        var early: [(ticket: Double, userId: String)] = []
        var late: [String] = []
        var admitted: [String] = []
        var onSaleAt: Date?
        for entry in history {
            let data = entry["data"] as? [String: any Sendable] ?? [:]
            switch entry["type"] as? String {
            case "WaitingRoomOpened": onSaleAt = (data["onSaleAt"] as? String).flatMap(Stamp.date)
            case "QueueJoined":
                let user = data["userId"] as? String ?? ""
                let at = (data["at"] as? String).flatMap(Stamp.date) ?? .distantFuture
                if at < onSaleAt ?? .distantPast { early.append((data["ticket"] as? Double ?? 0, user)) } else { late.append(user) }
            case "Admitted": admitted += (data["userIds"] as? [any Sendable] ?? []).compactMap { $0 as? String }
            default: break
            }
        }
        // Tickets are 64-bit; the JSON reader's doubles keep their order except between near-equal ones.
        let order = early.sorted { ($0.ticket, $0.userId) < ($1.ticket, $1.userId) }.map(\.userId) + late
        let inOrder = Array(order.prefix(admitted.count)) == admitted
        let fold = try await LogFold.read(api, admin: adminToken, session: session)
        let booked = outcomes.filter { $0.0 == .booked }.count
        let soldOut = outcomes.filter { $0.0 == .soldOut }.count
        let failures = outcomes.compactMap { if case .failed(let why) = $0.0 { why } else { nil } }
        let refused = outcomes.reduce(0) { $0 + $1.notAdmitted }
        let ok = inOrder && fold.seatsBookedTwice.isEmpty && failures.isEmpty && booked + soldOut == clients && booked == fold.bookingsPlaced
        let text = """
            room: \(clients) buyers queued before sales opened (session \(session), \(capacity) seats, \(admitPerMinute) admitted/min)
              queued (log):                          \(order.count)
              admissions recorded (log):             \(admitted.count)  (in queue order: \(inOrder ? "yes" : "NO"))
              booked a pair:                         \(booked)
              told sold out:                         \(soldOut)
              failed:                                \(failures.count)\(failures.isEmpty ? "" : "  e.g. \(failures[0])")
              reservations refused not_admitted:     \(refused)
              seats sold twice (log):                \(fold.seatsBookedTwice.count)
              elapsed from the first queue request:  \(String(format: "%.1f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s
            """
        return ToolReport(text: text, ok: ok)
    }
}

/// The API's timestamps (ISO 8601, UTC, milliseconds).
enum Stamp {
    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let whole = Date.ISO8601FormatStyle()

    static func string(_ date: Date) -> String { withFraction.format(date) }

    static func date(_ text: String) -> Date? { (try? withFraction.parse(text)) ?? (try? whole.parse(text)) }
}
