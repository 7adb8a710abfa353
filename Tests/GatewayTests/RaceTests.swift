import Foundation
import TestSupport
import Testing

/// The races of SPEC, run against the real executable over HTTP with many parallel clients.
@Suite("Concurrent booking races (end to end)", .serialized)
struct RaceTests {
    @Test func fiftyClientsOneSeatExactlyOneWins() async throws {
        let server = try await ServerProcess()
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 5)
        let users = try await scenario.users(50)
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for user in users {
                group.addTask {
                    try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token, json: ["seats": ["A3"]])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 1)
        let losers = replies.filter { $0.status == 409 }
        #expect(losers.count == 49)
        #expect(losers.allSatisfy { $0.errorCode == "seat_unavailable" && ($0.json["error"] as? [String: Any])?["seats"] as? [String] == ["A3"] })
        let fold = HistoryFold(try await scenario.history(session))
        #expect(fold.placed == 1 && fold.doubleBooked.isEmpty && fold.versionsContiguous)
    }

    @Test func twentyBuyersFiveTicketsExactlyFiveWin() async throws {
        let server = try await ServerProcess()
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let event = try await scenario.gaEvent(capacity: 5)
        let users = try await scenario.users(20)
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for user in users {
                group.addTask { try await HTTP.send(.POST, "\(server.baseURL)/book", token: user.token, json: ["eventId": event, "qty": 1]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 5)
        #expect(replies.filter { $0.status == 409 && $0.errorCode == "insufficient_capacity" }.count == 15)
        #expect(replies.filter { $0.status == 409 }.allSatisfy { ($0.json["error"] as? [String: Any])?["remaining"] as? Int == 0 })
        let history = try await scenario.history(event)
        let fold = HistoryFold(history, capacity: 5)
        #expect(fold.versionsContiguous)
        #expect(fold.placed == 5)
        #expect(fold.lowestGARemaining == 0)
        #expect(history.count == 11, "the schedule plus exactly five bookings, each with its ticket")
        #expect(history.filter { $0["type"] as? String == "TicketIssued" }.count == 5)
    }

    @Test func twoHundredClientsOverlappingPairsNeverShareASeat() async throws {
        let server = try await ServerProcess()
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 2, seatsPerRow: 20)
        let users = try await scenario.users(200)
        let seats = (["A", "B"]).flatMap { row in (1...20).map { "\(row)\($0)" } }
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for user in users {
                let first = Int.random(in: 0..<seats.count - 1)
                group.addTask {
                    try await HTTP.send(
                        .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token,
                        json: ["seats": [seats[first], seats[first + 1]]])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.allSatisfy { $0.status == 201 || ($0.status == 409 && $0.errorCode == "seat_unavailable") })
        let wins = replies.filter { $0.status == 201 }
        let fold = HistoryFold(try await scenario.history(session))
        #expect(fold.doubleBooked.isEmpty)
        #expect(fold.placed == wins.count)
        #expect(fold.activeSeats.count == wins.count * 2)
        #expect(fold.versionsContiguous)
    }

    /// Issue 16: 64 clients ask for the best pair at once in 8 rows of 9 seats (32 pairs fit). No seat is
    /// sold twice, each winner gets two adjacent seats of one row, and every refusal names a largest free
    /// block that the log shows at some version, smaller than a pair.
    @Test func sixtyFourClientsBestAvailablePairsNeverShareASeat() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 8, seatsPerRow: 9)
        let users = try await scenario.users(64)
        let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
            for user in users {
                group.addTask {
                    try await HTTP.send(.POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: user.token, json: ["count": 2])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let wins = replies.filter { $0.status == 201 }
        let refusals = replies.filter { $0.status == 409 && $0.errorCode == "no_seats_together" }
        #expect(wins.count + refusals.count == 64, "\(replies.map(\.status))")
        #expect(wins.count == 32, "every row of 9 takes four pairs")
        for win in wins {
            let seats = try #require(win.json["seats"] as? [String])
            let numbers = seats.compactMap { Int($0.dropFirst()) }
            #expect(seats.count == 2 && Set(seats.map(\.first)).count == 1 && numbers.count == 2 && abs(numbers[0] - numbers[1]) == 1, "\(seats)")
        }
        let history = try await scenario.history(session)
        let fold = HistoryFold(history)
        #expect(fold.doubleBooked.isEmpty && fold.placed == wins.count && fold.versionsContiguous)
        // The largest free block at every version of the log.
        var taken = Set<String>()
        var largestSeen: Set<Int> = [9]
        for entry in history where entry["type"] as? String == "BookingPlaced" {
            taken.formUnion((entry["data"] as? [String: Any])?["seats"] as? [String] ?? [])
            largestSeen.insert(
                "ABCDEFGH".map { row in
                    (1...9).reduce(into: (run: 0, longest: 0)) { state, number in
                        state.run = taken.contains("\(row)\(number)") ? 0 : state.run + 1
                        state.longest = max(state.longest, state.run)
                    }.longest
                }.max() ?? 0)
        }
        for refusal in refusals {
            let largest = try #require((refusal.json["error"] as? [String: Any])?["largest"] as? Int)
            #expect(largest < 2 && largestSeen.contains(largest), "refused with largest \(largest); the log shows \(largestSeen.sorted())")
        }
        // Sold out in pairs, each row of 9 keeps one seat nobody can pair: the dashboard's figure.
        var stranded: Int?
        let until = ContinuousClock.now + .seconds(60)
        while stranded == nil, ContinuousClock.now < until {
            let kpis = try await HTTP.send(.GET, "\(server.baseURL)/kpis")
            stranded = (kpis.json["sessions"] as? [[String: Any]])?.first { $0["id"] as? String == session }?["strandedSingles"] as? Int
            if stranded == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(stranded == 8)
    }

    /// Issue 16, item 4: 50 buyers reserve and the admin blocks 18 times at once, every one a pair of
    /// adjacent seats in 5 rows of 10. A seat is never both blocked and booked (checked by folding the
    /// log), every 201 is in the log, and every 409 names seats the log shows taken before it.
    @Test func buyersAndTheAdminBlockingAtOnceNeverTakeOneSeatTwice() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let scenario = Scenario(baseURL: server.baseURL, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 5, seatsPerRow: 10)
        let users = try await scenario.users(50)
        // Every fourth caller is the admin, so both sides start across the whole run. Which side wins a
        // contested pair is up to the race; in row E each side also asks for pairs nobody else asks for,
        // so that both sides certainly win some and both paths are exercised.
        var tokens = users.map(\.token).makeIterator()
        var callers: [(token: String?, seats: [String])] = (0..<64).map { index in
            let row = "ABCD".map(String.init)[(index / 2) % 4]
            let first = 1 + (index * 5) % 9
            return (index % 4 == 1 ? nil : tokens.next(), ["\(row)\(first)", "\(row)\(first + 1)"])
        }
        callers += [(nil, ["E1", "E2"]), (tokens.next(), ["E4", "E5"]), (nil, ["E7", "E8"]), (tokens.next(), ["E9", "E10"])]
        let replies = try await withThrowingTaskGroup(of: (admin: Bool, seats: [String], reply: Reply).self) { group in
            for (token, seats) in callers {
                group.addTask {
                    let reply =
                        if let token {
                            try await HTTP.send(
                                .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve", token: token, json: ["seats": seats])
                        } else {
                            try await HTTP.send(
                                .POST, "\(server.baseURL)/sessions/\(session)/blocks", token: server.adminToken,
                                json: ["seats": seats, "reason": "house"])
                        }
                    return (token == nil, seats, reply)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.allSatisfy { $0.reply.status == 201 || $0.reply.errorCode == "seat_unavailable" }, "\(replies.map(\.reply.status))")
        let history = try await scenario.history(session)
        let fold = HistoryFold(history)
        #expect(fold.doubleBooked.isEmpty && fold.versionsContiguous, "taken twice: \(fold.doubleBooked)")
        let blocks = replies.filter { $0.admin && $0.reply.status == 201 }
        let bookings = replies.filter { !$0.admin && $0.reply.status == 201 }
        #expect(!blocks.isEmpty && !bookings.isEmpty, "both sides won some: \(blocks.count) blocks, \(bookings.count) bookings")
        #expect(fold.placed == bookings.count)
        #expect(history.filter { $0["type"] as? String == "SeatsBlocked" }.count == blocks.count)
        let taken = Set(fold.activeSeats.keys).union(fold.blockedSeats.keys)
        for refused in replies where refused.reply.status == 409 {
            let named = (refused.reply.json["error"] as? [String: Any])?["seats"] as? [String] ?? []
            #expect(!named.isEmpty && Set(named).isSubset(of: Set(refused.seats)) && Set(named).isSubset(of: taken), "\(named)")
        }
    }

    /// Issue 17, item 2: a sold-out row of 10, five waiters in line; the ten owners cancel while 30 new
    /// buyers try to take seats at the same moment. The log shows every freed seat offered to the waiter at
    /// the head, in the order they joined, in the same decision as the cancellation that freed it, and no
    /// new buyer placing a booking while anyone still waited.
    @Test func cancellationsRaceNewBuyersAndTheHeadOfTheLineGetsTheSeatsEveryTime() async throws {
        let server = try await ServerProcess(arguments: ["serve", "--with-workers"], databaseURL: try await TestDatabase.freshDatabase())
        let base = server.baseURL
        let scenario = Scenario(baseURL: base, adminToken: server.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 10)
        let owners = try await scenario.users(10)
        var bookings: [(token: String, id: String)] = []
        for (index, owner) in owners.enumerated() {
            let reply = try await HTTP.send(
                .POST, "\(base)/sessions/\(session)/seats/reserve", token: owner.token, json: ["seats": ["A\(index + 1)"], "confirm": true])
            bookings.append((owner.token, try #require(reply.json["id"] as? String)))
        }
        var waiters: [String] = []
        for index in 0..<5 {
            let waiter = try await scenario.user("Waiter \(index)")
            let joined = try await HTTP.send(.POST, "\(base)/sessions/\(session)/waitlist", token: waiter.token, json: ["count": 1])
            #expect(joined.status == 201 && joined.json["place"] as? Int == index + 1, "\(joined.text)")
            waiters.append(waiter.id)
        }
        let buyers = try await scenario.users(30)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for booking in bookings {
                group.addTask {
                    let reply = try await HTTP.send(.POST, "\(base)/bookings/\(booking.id)/cancel", token: booking.token)
                    #expect(reply.status == 200, "\(reply.text)")
                }
            }
            for (index, buyer) in buyers.enumerated() {
                group.addTask {
                    for attempt in 0..<5 {
                        let seat = "A\(1 + (index + attempt * 3) % 10)"
                        let reply = try await HTTP.send(
                            .POST, "\(base)/sessions/\(session)/seats/reserve", token: buyer.token, json: ["seats": [seat]])
                        #expect([201, 409].contains(reply.status), "\(reply.text)")
                        if reply.status == 201 { return }
                    }
                }
            }
            try await group.waitForAll()
        }
        let history = try await scenario.history(session)
        var waiting: [String] = []
        var offeredTo: [String] = []
        var previousType = ""
        var buyersPlacedWhileWaiting = 0
        for entry in history {
            let data = entry["data"] as? [String: Any] ?? [:]
            switch entry["type"] as? String {
            case "WaitlistJoined": waiting.append(data["userId"] as? String ?? "")
            case "SeatsOffered":
                let user = data["userId"] as? String ?? ""
                #expect(user == waiting.first, "offered to \(user), head of the line \(waiting.first ?? "-")")
                #expect(previousType == "BookingCancelled" || previousType == "SeatsOffered", "an offer follows the cancellation that freed it")
                offeredTo.append(user)
                waiting.removeAll { $0 == user }
            case "BookingPlaced":
                if !waiting.isEmpty { buyersPlacedWhileWaiting += 1 }
            default: break
            }
            // The voids of a cancelled booking's tickets come between its cancellation and the offer.
            if entry["type"] as? String != "TicketVoided" { previousType = entry["type"] as? String ?? "" }
        }
        #expect(offeredTo == waiters, "offers in the order of the line")
        #expect(buyersPlacedWhileWaiting == 0)
        let fold = HistoryFold(history)
        #expect(fold.doubleBooked.isEmpty && fold.versionsContiguous)
        #expect(fold.placed == 15, "10 owners, then 5 of the 30 buyers: 5 seats went to the line")
    }

    @Test func twoGatewayProcessesOnOneDatabaseStillNeverOversell() async throws {
        let one = try await ServerProcess()
        let two = try await ServerProcess()
        let scenario = Scenario(baseURL: one.baseURL, adminToken: one.adminToken)
        let session = try await scenario.seatedSession(rows: 1, seatsPerRow: 6)
        let event = try await scenario.gaEvent(capacity: 7)
        let users = try await scenario.users(80)
        let replies = try await withThrowingTaskGroup(of: (seat: Bool, reply: Reply).self) { group in
            for (index, user) in users.enumerated() {
                let server = index.isMultiple(of: 2) ? one : two
                group.addTask {
                    if index < 40 {
                        let pair = [["A1", "A2"], ["A2", "A3"], ["A3", "A4"], ["A5", "A6"]][index % 4]
                        return (
                            true,
                            try await HTTP.send(
                                .POST, "\(server.baseURL)/sessions/\(session)/seats/reserve",
                                token: user.token, json: ["seats": pair])
                        )
                    }
                    return (false, try await HTTP.send(.POST, "\(server.baseURL)/book", token: user.token, json: ["eventId": event, "qty": 1]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.allSatisfy { [201, 409].contains($0.reply.status) }, "no 5xx: lost races retry, they never fail")
        let seatFold = HistoryFold(try await scenario.history(session))
        #expect(seatFold.doubleBooked.isEmpty && seatFold.versionsContiguous)
        #expect(seatFold.placed == replies.filter { $0.seat && $0.reply.status == 201 }.count)
        let gaFold = HistoryFold(try await scenario.history(event), capacity: 7)
        #expect(gaFold.placed == 7 && gaFold.lowestGARemaining == 0 && gaFold.versionsContiguous)
        #expect(replies.filter { !$0.seat && $0.reply.status == 201 }.count == 7)
    }
}
