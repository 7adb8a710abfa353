import Commands
import EventStore
import Foundation
import TestSupport
import Testing

@testable import Projections

/// The recorded histories under `Replays/`: each must still produce, through today's projections,
/// exactly the read models the live system held when it was recorded.
@Suite("Recorded replays", .serialized)
struct ReplayScenarioTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Replays")
    static let required = [
        "ga-flash-sale-20x5", "hold-confirm", "hold-expire", "hold-cancel", "confirmed-cancel",
        "race-50-overlapping", "tickets-at-the-door",
    ]
    static let scenarios: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(".jsonl".count)) }.sorted()

    static func load(_ name: String) throws -> (events: [StoredEvent], recorded: [String: [String: Data]]) {
        let events = try ReplayFile.events(jsonLines: Data(contentsOf: folder.appendingPathComponent("\(name).jsonl")))
        let recorded = try ReplayFile.readModels(Data(contentsOf: folder.appendingPathComponent("\(name).read-models.json")))
        return (events, recorded)
    }

    @Test func everyRequiredScenarioIsRecorded() {
        #expect(Set(Self.required).isSubset(of: Set(Self.scenarios)), "Replays/ holds \(Self.scenarios)")
    }

    @Test(arguments: scenarios) func foldingTheEventsGivesTheRecordedReadModels(_ name: String) throws {
        let (events, recorded) = try Self.load(name)
        #expect(events.map(\.version) == Array(1...events.count), "one stream, gapless")
        let folded = try SessionAudit.expected(events)
        #expect(
            Set(folded.keys.map { "\($0.collection.name)/\($0.id)" })
                == Set(recorded.flatMap { collection, documents in documents.keys.map { "\(collection)/\($0)" } }))
        for (key, body) in folded {
            let stored = try #require(recorded[key.collection.name]?[key.id], "\(key.collection.name)/\(key.id) recorded")
            let difference = JSONDifference.first(stored: stored, expected: body)
            #expect(difference == nil, "\(name): \(key.collection.name)/\(key.id) \(difference ?? "")")
        }
    }

    @Test(arguments: scenarios) func projectingThemFromARealLogInSmallBatchesGivesTheRecordedSeatMaps(_ name: String) async throws {
        let (recordedEvents, recorded) = try Self.load(name)
        let (client, events) = try await TestDatabase.stores(try await TestDatabase.freshDatabase())
        let documents = PostgresDocumentStore(client: client, logger: TestDatabase.logger)
        for event in recordedEvents {
            let write = StreamWrite(
                streamId: event.streamId, expected: .exact(event.version - 1),
                events: [NewEvent(type: event.type, data: event.data, metadata: event.metadata)])
            _ = try await events.append([write], idempotency: [])
        }
        let stream = try await events.readStream(recordedEvents[0].streamId, after: 0)
        let last = try #require(stream.last)
        // The runner's own stepping; other tests' open transactions can hide fresh events for a moment.
        for projection in SessionAudit.projections {
            let stepper = ProjectionStepper(
                projection: projection, events: events, documents: documents, owner: "replay-test",
                batchSize: 7)
            var checkpoint = Checkpoint.start
            let deadline = ContinuousClock.now + .seconds(30)
            while checkpoint < last.checkpoint && ContinuousClock.now < deadline {
                (checkpoint, _) = try await stepper.catchUp(generation: 1, from: checkpoint)
                if checkpoint < last.checkpoint { try await Task.sleep(for: .milliseconds(50)) }
            }
        }
        #expect(try await SessionAudit.applied(last, documents: documents))
        #expect(try await SessionAudit.drift(stream, documents: documents).isEmpty)
        // No document holds the seat list; assembled from the layout, the tally and the bookings it is the log's.
        var state = SessionState()
        for event in stream {
            if let decoded = try SessionEvent.decode(type: event.type, data: event.data) { SessionDecider.evolve(&state, decoded) }
        }
        let assembled = try await ReadModelQueries(documents: documents).seatMap(Streams.sessionId(ofStream: last.streamId))
        #expect(assembled == SeatMap.of(state, version: last.version), "\(name): the assembled seat map")
        // Seat maps and session summaries depend on nothing but the events' order and content.
        for collection in [SessionProjection.seatMaps, SessionProjection.sessions] {
            for (id, body) in recorded[collection.name] ?? [:] {
                let stored = try #require(try await documents.get(collection, id: id))
                let difference = JSONDifference.first(stored: stored.body, expected: body)
                #expect(difference == nil, "\(name): \(collection.name)/\(id) \(difference ?? "")")
            }
        }
    }
}
