import Foundation
import TestSupport
import Testing

/// Nothing acknowledged is lost when processes die, and the gateway rides out a database restart.
@Suite("Crashes, restarts and shutdowns (end to end)", .serialized)
struct CrashTests {
    struct Attempt: Sendable {
        var token: String
        var key: String
        var seats: [String]
        var reply: Reply?
    }

    @Test func sigkillTheGatewayWithThreeHundredBookingsInFlight() async throws {
        let database = try await TestDatabase.freshDatabase()
        let first = try await ServerProcess(databaseURL: database)
        let scenario = Scenario(baseURL: first.baseURL, adminToken: first.adminToken)
        let session = try await scenario.seatedSession(rows: 20, seatsPerRow: 25)
        let users = try await scenario.users(300)
        let seats = (0..<20).flatMap { row in (1...25).map { "\(Array("ABCDEFGHIJKLMNOPQRST")[row])\($0)" } }
        // Half the requests are answered first; then the event log is locked from another connection, the
        // other half is sent and held inside the gateway's appends (seen as lock waits in PostgreSQL), and
        // the gateway is killed: requests are provably in flight, whatever the machine's speed (a fast
        // gateway answered all 300 before a kill timed by answers could land).
        func send(_ users: ArraySlice<(id: String, token: String)>) -> [Task<Attempt, Never>] {
            users.map { user in
                let pick = Int.random(in: 0..<seats.count - 1)
                let attempt = Attempt(token: user.token, key: UUID().uuidString, seats: [seats[pick], seats[pick + 1]])
                return Task {
                    var done = attempt
                    done.reply = try? await HTTP.send(
                        .POST, "\(first.baseURL)/sessions/\(session)/seats/reserve", token: attempt.token,
                        json: ["seats": attempt.seats], headers: ["Idempotency-Key": attempt.key])
                    return done
                }
            }
        }
        var attempts: [Attempt] = []
        for task in send(users.prefix(150)) { attempts.append(await task.value) }
        let (client, _) = try await TestDatabase.stores(database)
        let locked = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let locker = Task {
            try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                try await connection.query("LOCK TABLE events IN EXCLUSIVE MODE", logger: TestDatabase.logger)
                locked.continuation.yield()
                for await _ in release.stream { break }
                try await connection.query("COMMIT", logger: TestDatabase.logger)
            }
        }
        for await _ in locked.stream { break }
        let inFlight = send(users.suffix(150))
        var waiting = 0
        for _ in 0..<600 where waiting == 0 {
            let rows = try await client.query(
                "SELECT count(*)::int8 FROM pg_locks WHERE NOT granted AND relation = 'events'::regclass", logger: TestDatabase.logger)
            for try await count in rows.decode(Int.self) { waiting = count }
            if waiting == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(waiting > 0, "an append of the second half waits on the locked log")
        first.signal(SIGKILL)
        _ = first.waitForExit()
        release.continuation.yield()
        try await locker.value
        for task in inFlight { attempts.append(await task.value) }
        let acknowledged = attempts.filter { $0.reply?.status == 201 }
        let died = attempts.filter { $0.reply == nil }
        let answers = Dictionary(grouping: attempts, by: { $0.reply?.status ?? 0 }).mapValues(\.count)
        print("SIGKILL with \(waiting) appends waiting on the log; answers: \(answers)")
        #expect(acknowledged.count > 0 && !died.isEmpty, "the kill must land while requests are in flight (answers: \(answers))")

        let second = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: database)
        let history = try await Scenario(baseURL: second.baseURL, adminToken: second.adminToken).history(session)
        let fold = HistoryFold(history)
        #expect(fold.doubleBooked.isEmpty && fold.versionsContiguous)
        let placed = Set(history.compactMap { ($0["data"] as? [String: Any])?["bookingId"] as? String })
        var lastPosition = 0
        for attempt in acknowledged {
            let id = try #require(attempt.reply?.json["id"] as? String)
            #expect(placed.contains(id), "acknowledged booking \(id) is in the log")
            lastPosition = max(lastPosition, attempt.reply?.json["position"] as? Int ?? 0)
        }
        let map = try await HTTP.send(.GET, "\(second.baseURL)/sessions/\(session)/seats?minPosition=\(lastPosition)")
        let held = Set((map.json["seats"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "HELD" }.compactMap { $0["id"] as? String })
        for attempt in acknowledged {
            let id = attempt.reply!.json["id"] as! String
            #expect(try await HTTP.send(.GET, "\(second.baseURL)/bookings/\(id)?minPosition=\(lastPosition)", token: attempt.token).status == 200)
            #expect(attempt.seats.allSatisfy(held.contains))
        }
        // Clients whose request died retry with the same key: the original answer, or a clean decision now.
        let keyed = Dictionary(
            history.compactMap { entry -> (String, String)? in
                guard let key = (entry["metadata"] as? [String: Any])?["idempotencyKey"] as? String,
                    let id = (entry["data"] as? [String: Any])?["bookingId"] as? String, entry["type"] as? String == "BookingPlaced"
                else { return nil }
                return (key, id)
            }, uniquingKeysWith: { first, _ in first })
        for attempt in died {
            let retry = try await HTTP.send(
                .POST, "\(second.baseURL)/sessions/\(session)/seats/reserve", token: attempt.token,
                json: ["seats": attempt.seats], headers: ["Idempotency-Key": attempt.key])
            #expect(retry.status == 201 || (retry.status == 409 && retry.errorCode == "seat_unavailable"))
            if let original = keyed[attempt.key] {
                #expect(retry.status == 201 && retry.json["id"] as? String == original, "a committed request answers its original booking")
            }
        }
        #expect(HistoryFold(try await Scenario(baseURL: second.baseURL, adminToken: second.adminToken).history(session)).doubleBooked.isEmpty)
    }

    @Test func restartingPostgreSQLUnderLoadGivesNo500AndLosesNothing() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.stop() }
        let server = try await ServerProcess(
            arguments: ["serve", "--with-workers"], environment: ["REQUEST_TIMEOUT": "3"],
            databaseURL: postgres.url)
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let event = try await scenario.gaEvent(capacity: 100_000)
        let users = try await scenario.users(16)
        let restarted = Restarted()
        // Restart once the load is provably flowing (50 bookings acknowledged), not after a fixed time.
        let restart = Task {
            while await restarted.acknowledged < 50 { try await Task.sleep(for: .milliseconds(20)) }
            try postgres.restart()
            await restarted.mark()
        }
        let outcomes = try await withThrowingTaskGroup(of: [(Int, String?, ContinuousClock.Instant)].self) { group in
            for user in users {
                group.addTask {
                    var seen: [(Int, String?, ContinuousClock.Instant)] = []
                    // Load until a second after the first booking acknowledged after PostgreSQL is back (so the
                    // recovery time below is measured, however long it was), at most 60 s after it is back.
                    while await restarted.keepLoading {
                        let reply = try? await HTTP.send(.POST, "\(server.baseURL)/book", token: user.token, json: ["eventId": event, "qty": 1])
                        seen.append((reply?.status ?? 0, reply?.json["id"] as? String, ContinuousClock.now))
                        if reply?.status == 201 { await restarted.acknowledged(at: ContinuousClock.now) }
                        if reply?.status != 201 { try await Task.sleep(for: .milliseconds(50)) }
                    }
                    return seen
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        try await restart.value
        #expect(outcomes.allSatisfy { [201, 503].contains($0.0) }, "only successes and 503s: \(Set(outcomes.map(\.0)))")
        let back = try #require(await restarted.at)
        let firstSuccessAfter = outcomes.filter { $0.0 == 201 && $0.2 > back }.map(\.2).min()
        print(
            "PostgreSQL restart: \(outcomes.filter { $0.0 == 503 }.count) answers were 503; first 201 after it was back: "
                + "\(firstSuccessAfter.map { "\($0 - back)" } ?? "none")")
        #expect(firstSuccessAfter.map { $0 - back < .seconds(5) } == true, "answers again within 5 s of PostgreSQL being back")
        let history = try await scenario.history(event)
        let placed = Set(history.compactMap { ($0["data"] as? [String: Any])?["bookingId"] as? String })
        let acknowledged = outcomes.compactMap { $0.0 == 201 ? $0.1 : nil }
        #expect(acknowledged.allSatisfy(placed.contains), "every acknowledged booking survived")
        #expect(HistoryFold(history, capacity: 100_000).versionsContiguous)
    }

    actor Restarted {
        var at: ContinuousClock.Instant?
        var acknowledged = 0
        var firstAfter: ContinuousClock.Instant?
        func mark() { at = .now }
        func acknowledged(at instant: ContinuousClock.Instant) {
            acknowledged += 1
            if let at, instant > at, firstAfter == nil { firstAfter = instant }
        }
        var keepLoading: Bool {
            guard let at else { return true }
            if let firstAfter { return ContinuousClock.now < firstAfter + .seconds(1) }
            return ContinuousClock.now < at + .seconds(60)
        }
    }

    @Test func sigtermLetsInFlightRequestsFinish() async throws {
        let server = try await ServerProcess(databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let event = try await scenario.gaEvent(capacity: 1_000)
        let users = try await scenario.users(40)
        // SIGTERM goes out at the first booking acknowledged while at least 10 requests are unanswered, so
        // it always lands with requests in flight, however fast or loaded the machine is.
        let trigger = AnswerTrigger(requests: users.count, acknowledged: 1, outstanding: 10) { server.signal(SIGTERM) }
        let replies = await withTaskGroup(of: Reply?.self) { group in
            for user in users {
                group.addTask {
                    let reply = try? await HTTP.send(.POST, "\(server.baseURL)/book", token: user.token, json: ["eventId": event, "qty": 1])
                    await trigger.answered(reply)
                    return reply
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let fired = await trigger.firedAt
        if fired == nil { server.signal(SIGTERM) }
        let answered = replies.compactMap { $0 }
        #expect(fired != nil, "SIGTERM must land with requests in flight; answers: \(answered.map(\.status))")
        #expect(server.waitForExit() == 0, "a clean exit on SIGTERM")
        #expect(!answered.isEmpty)
        #expect(answered.allSatisfy { $0.status == 201 }, "every request that reached the server was answered in full")
    }

    @Test func twoOfEveryProcessThroughAFiveHundredClientRace() async throws {
        let database = try await TestDatabase.freshDatabase()
        let environment = ["HOLD_TTL": "2"]
        let gateways = [
            try await ServerProcess(environment: environment, databaseURL: database),
            try await ServerProcess(environment: environment, databaseURL: database),
        ]
        var workers: [ServerProcess] = []
        for command in ["project", "project", "expire", "expire"] {
            workers.append(try await ServerProcess(arguments: [command], databaseURL: database, waitForHealth: false))
        }
        defer { for worker in workers { worker.stop() } }
        let scenario = Scenario(baseURL: gateways[0].baseURL, adminToken: gateways[0].adminToken)
        let session = try await scenario.seatedSession(rows: 2, seatsPerRow: 25)
        let event = try await scenario.gaEvent(capacity: 120)
        let users = try await scenario.users(500)
        let seats = ["A", "B"].flatMap { row in (1...25).map { "\(row)\($0)" } }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, user) in users.enumerated() {
                let gateway = gateways[index % 2]
                group.addTask {
                    if index.isMultiple(of: 2) {
                        let pick = Int.random(in: 0..<seats.count - 1)
                        return try await HTTP.send(
                            .POST, "\(gateway.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                            json: ["seats": [seats[pick], seats[pick + 1]], "confirm": index.isMultiple(of: 3)]
                        ).status
                    }
                    return try await HTTP.send(
                        .POST, "\(gateway.baseURL)/book", token: user.token,
                        json: ["eventId": event, "qty": 1, "hold": index.isMultiple(of: 5)]
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 })
        try await Task.sleep(for: .seconds(3))
        let seatFold = HistoryFold(try await scenario.history(session))
        let gaFold = HistoryFold(try await scenario.history(event), capacity: 120)
        #expect(seatFold.doubleBooked.isEmpty && seatFold.versionsContiguous)
        #expect(gaFold.lowestGARemaining >= 0 && gaFold.versionsContiguous)
        let (client, events) = try await TestDatabase.stores(database)
        #expect(try await ReadModelCheck.waitUntilCaughtUp(client: client, events: events))
        #expect(try await ReadModelCheck.drift(client: client, events: events).isEmpty)
    }
}
