import Commands
import EventStore
import Foundation
import Testing

/// The command handler on the in-memory log: the load–decide–append–retry loop, group commit and
/// idempotency keys in milliseconds, with two handlers standing in for two gateways.
@Suite("Command handler on the in-memory log")
struct HandlerOnMemoryTests {
    typealias Handler = CommandHandler<SessionDecider>

    let metadata = EventMetadata(correlationId: "unit", gatewayId: "unit")

    func schedule(_ handler: Handler, capacity: Int) async throws -> String {
        let id = UUID().uuidString.lowercased()
        _ = try await handler.execute(
            .schedule(
                SessionScheduled(
                    sessionId: id, title: "Flash", startsAt: nil, kind: .general, hall: nil, seatSections: [],
                    gaSections: [GASection(id: "floor", name: "Floor", price: 10, capacity: capacity)])),
            on: Streams.session(id), metadata: metadata)
        return id
    }

    func book(_ handler: Handler, _ id: String, key: IdempotencyRequest? = nil) async throws -> CommandResult<SessionDecider> {
        try await handler.execute(
            .bookQuantity(
                BookQuantity(
                    bookingId: UUID().uuidString, userId: "u", sectionId: "floor", qty: 1, hold: false, holdTTL: 300)),
            on: Streams.session(id), metadata: metadata, idempotency: key)
    }

    @Test func twoGatewaysHammeringOneSessionNeverOversell() async throws {
        let store = InMemoryEventStore()
        let (one, two) = (Handler(store: store), Handler(store: store))
        let id = try await schedule(one, capacity: 50)
        let results = await withTaskGroup(of: Result<CommandResult<SessionDecider>, any Error>.self) { group in
            for index in 0..<300 {
                group.addTask {
                    do { return .success(try await book(index.isMultiple(of: 2) ? one : two, id)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let sold = results.filter { (try? $0.get()) != nil }.count
        let refusals = results.compactMap { result -> DomainError? in
            if case .failure(let error) = result { return error as? DomainError }
            return nil
        }
        #expect(sold == 50, "exactly the capacity is sold")
        #expect(
            refusals.count == 250 && refusals.allSatisfy { $0 == .insufficientCapacity(remaining: 0) },
            "every other buyer is told it is sold out: \(Set(refusals.map { "\($0)" }))")
        let stream = try await store.readStream(Streams.session(id), after: 0)
        #expect(stream.map(\.version) == Array(1...101), "versions are contiguous: one schedule, 50 bookings each with its ticket")
        let state = SessionDecider.fold(try stream.map { try #require(try SessionEvent.decode(type: $0.type, data: $0.data)) })
        #expect(state.bookings.count == 50)
    }

    @Test func queuedCommandsShareAppendsAndEachGetsItsOwnPosition() async throws {
        let store = InMemoryEventStore()
        let handler = Handler(store: store)
        let id = try await schedule(handler, capacity: 200)
        let positions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<100 { group.addTask { try await book(handler, id).position } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(positions).count == 100, "every command answers the position of its own event")
        let stream = try await store.readStream(Streams.session(id), after: 0)
        // A booking confirmed at once ends with its ticket: that is the command's last event.
        #expect(Set(positions) == Set(stream.filter { $0.type == "TicketIssued" }.map(\.position)))
        let appends = Set(stream.map(\.transactionId)).count
        #expect(appends < 101, "queued commands were decided in batches and appended together (\(appends) appends)")
    }

    @Test func anIdempotencyKeyRemembersTheOutcomeWithItsEvents() async throws {
        let store = InMemoryEventStore()
        let handler = Handler(store: store)
        let id = try await schedule(handler, capacity: 5)
        let key = IdempotencyRequest(key: IdempotencyKey(principal: "u", key: "k"), requestHash: "h")
        let result = try await book(handler, id, key: key)
        let stored = try #require(try await store.storedOutcome(for: key.key))
        #expect(stored.position == result.position && stored.requestHash == "h")
        let outcome = try EventJSON.decoder.decode(SessionOutcome.self, from: stored.outcome)
        // Times are stored to the millisecond, as in events; everything else comes back as it was.
        var booking = try #require(result.outcome.booking)
        booking.createdAt = try #require(outcome.booking?.createdAt)
        #expect(outcome.booking == booking && outcome.remaining == 4)
        #expect(abs(outcome.booking!.createdAt.timeIntervalSince(result.outcome.booking!.createdAt)) < 0.001)
        await #expect(throws: EventStoreError.idempotencyKeyTaken(key: "k"), "a key is stored once") {
            _ = try await book(handler, id, key: key)
        }
        #expect(try await store.readStream(Streams.session(id), after: 0).count == 3, "the refused append left nothing behind")
    }

    @Test func aRefusalOnAStaleCacheIsCheckedAgainstTheLog() async throws {
        let store = InMemoryEventStore()
        let (one, two) = (Handler(store: store), Handler(store: store))
        let id = try await schedule(one, capacity: 1)
        let booking = try await book(one, id)
        // `two` loads the full section, then `one` frees it; `two` must not refuse from its stale cache.
        #expect(try await two.state(of: Streams.session(id)).state.gaTaken["floor"] == 1)
        _ = try await one.execute(.cancel(bookingId: booking.outcome.booking!.id, by: .admin), on: Streams.session(id), metadata: metadata)
        let again = try await book(two, id)
        #expect(again.outcome.booking?.status == .confirmed, "the refusal was checked against the log, which had the place free again")
    }
}
