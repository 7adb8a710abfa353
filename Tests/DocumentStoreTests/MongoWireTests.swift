import Commands
import EventStore
import Foundation
import Testing

@testable import Projections

#if canImport(Glibc)
import Glibc
#endif

/// `MongoDocumentStore` against a scripted MongoDB server (mock_mongo.py, on mockupdb). The script
/// asserts the exact commands libmongoc sends and answers like mongod; these tests check what the
/// store makes of the answers, and that the script saw everything it expected (exit status 0).
@Suite("MongoDB adapter on the wire (mockupdb)")
struct MongoWireTests {
    static func write(_ key: DocumentKey, version: Int64, _ body: some Encodable) throws -> DocumentWrite {
        DocumentWrite(key: key, version: version, body: try EventJSON.encoder.encode(body))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ document: StoredDocument?) throws -> T {
        try EventJSON.decoder.decode(T.self, from: try #require(document).body)
    }

    /// Runs `body` against a fresh store on the scenario's server, releases the store (its pool then
    /// ends its sessions: the script's last expected command), and checks the script's verdict.
    static func run(_ scenario: String, _ body: (MongoDocumentStore) async throws -> Void) async throws {
        let mock = try await MockMongo(scenario: scenario)
        do {
            let store = try MongoDocumentStore(uri: mock.uri, logger: DocumentFixtures.logger, appName: "boxoffice-wire-test")
            try await body(store)
        } catch {
            Issue.record("\(error)\n--- mock_mongo.py \(scenario) ---\n\(await mock.finish(timeout: .seconds(5)).output)")
            return
        }
        let (status, output) = await mock.finish()
        print("mock_mongo.py \(scenario):\n\(output)")
        #expect(status == 0, "mock_mongo.py \(scenario) exited \(status):\n\(output)")
        #expect(output.contains("OK \(scenario):"), "\(output)")
    }

    @Test func commitsAndReadsSendExactlyTheExpectedCommands() async throws {
        try await Self.run("store") { store in
            var session = DocumentFixtures.session()
            session.title = "Amélie — 東京物語 🎬"
            let map = DocumentFixtures.seatMap(seats: 2_000)
            #expect(map.seats.last?.id == "AN50")
            let b1 = DocumentFixtures.booking("b1", amount: 25.5, position: 4_000_000_000_123)
            let b2 = DocumentFixtures.booking("b2", amount: 37)
            let writes = [
                try Self.write(DocumentKey(SessionProjection.bookings, "b2"), version: 3, b2),
                try Self.write(DocumentKey(SessionProjection.sessions, "s1"), version: 3, session),
                try Self.write(DocumentKey(SessionProjection.bookings, "b1"), version: 3, b1),
                try Self.write(DocumentKey(SessionProjection.seatMaps, "s1"), version: 3, map),
            ]
            let checkpoint = Checkpoint(transactionId: 700, position: 42)
            // The seat map's upsert is answered with a duplicate key (another writer's insert won the race) and is
            // sent again, which replaces the older document: a duplicate key alone never drops a write.
            try await store.commit(writes, projection: "sessions", generation: 1, checkpoint: checkpoint, owner: "wire-test")
            // Redelivery: no second createIndexes, and duplicate keys on the document and the checkpoint, each sent
            // once more and refused again: "already as new", not an error.
            try await store.commit([writes[2]], projection: "sessions", generation: 1, checkpoint: checkpoint, owner: "wire-test")

            let found = try await store.find(
                DocumentQuery(
                    collection: SessionProjection.bookings, filters: ["userId": "u1", "status": "CONFIRMED"], sortField: "createdAt",
                    descending: true, limit: 3, after: (sortValue: "2026-03-01T10:00:00.000Z", id: "b9")))
            #expect(found.map(\.id) == ["b8", "b7"])
            #expect(found.map(\.version) == [5, 2])
            let bookings = try found.map { try EventJSON.decoder.decode(BookingDocument.self, from: $0.body) }
            #expect(bookings.map(\.amount) == [Decimal(string: "25.5")!, 37])
            #expect(bookings.allSatisfy { $0.sessionTitle == "Amélie — 東京物語 🎬" && $0.position == 4_000_000_000_123 })
            #expect(bookings.last?.createdAt == ISO8601.date(from: "2026-02-28T09:30:00.250Z"))

            let user = try Self.decode(UserDocument.self, try await store.get(UserProjection.users, id: "u1"))
            #expect(user.name == "Zoë Ångström-Núñez")
            #expect(user.registeredAt == ISO8601.date(from: "2026-01-02T03:04:05.678Z"))

            let keys: Set<DocumentKey> = [
                DocumentKey(SessionProjection.bookings, "b1"), DocumentKey(SessionProjection.bookings, "b2"),
                DocumentKey(SessionProjection.seatMaps, "s1"), DocumentKey(SessionProjection.sessions, "s1"),
            ]
            let loaded = try await store.documents(keys, generation: 1)
            #expect(Set(loaded.keys) == [DocumentKey(SessionProjection.bookings, "b1"), DocumentKey(SessionProjection.seatMaps, "s1")])
            let held = try Self.decode(BookingDocument.self, loaded[DocumentKey(SessionProjection.bookings, "b1")])
            #expect(held.status == .held && loaded[DocumentKey(SessionProjection.bookings, "b1")]?.version == 3)
            #expect(try Self.decode(SeatMap.self, loaded[DocumentKey(SessionProjection.seatMaps, "s1")]).seats.count == 4)

            let position = try await store.appliedPosition(projection: "sessions")
            #expect(position.checkpoint == checkpoint)
            #expect(position.updatedAt == ISO8601.date(from: "2026-11-21T12:00:00.250Z"))
        }
    }

    @Test func serverErrorsDroppedConnectionsAndStaleGenerationsAreTypedErrors() async throws {
        try await Self.run("failures") { store in
            do {
                _ = try await store.get(HallProjection.halls, id: "h1")
                Issue.record("a refused find must throw")
            } catch let error as MongoError {
                guard case .server(13, let message) = error else { throw error }
                #expect(message.contains("not authorized on boxoffice"))
            }
            do {
                try await store.commit(
                    [try Self.write(DocumentKey(HallProjection.halls, "h1"), version: 1, ["name": "Odeon"])], projection: "halls",
                    generation: 1, checkpoint: Checkpoint(transactionId: 1, position: 1), owner: "wire-test")
                Issue.record("a write error other than a duplicate key must throw")
            } catch let error as MongoError {
                #expect(error == .server(code: 121, message: "Document failed validation"))
            }
            do {
                _ = try await store.find(DocumentQuery(collection: HallProjection.halls))
                Issue.record("a dropped connection must throw")
            } catch let error as MongoError {
                guard case .connection = error else { throw error }
            }
            #expect(try await store.activeGeneration(projection: "users") == 4, "the store answers again after the drop")
            await #expect(throws: StaleGeneration(projection: "users", generation: 2, active: 4)) {
                try await store.commit(
                    [try Self.write(DocumentKey(UserProjection.users, "u1"), version: 1, ["name": "U"])], projection: "users",
                    generation: 2, checkpoint: Checkpoint(transactionId: 1, position: 1), owner: "wire-test")
            }
            try await store.activate(projection: "halls", generation: 2)
            try await store.drop(projection: "halls", generation: 5)
        }
    }

    @Test func anUnreachableServerIsATypedConnectionErrorAndABadURIIsRefused() async throws {
        let closed = try MockMongo.closedPort()
        let store = try MongoDocumentStore(
            uri: "mongodb://127.0.0.1:\(closed)/?serverSelectionTimeoutMS=300&connectTimeoutMS=300",
            logger: DocumentFixtures.logger)
        let started = ContinuousClock.now
        do {
            _ = try await store.appliedPosition(projection: "sessions")
            Issue.record("no server: must throw")
        } catch let error as MongoError {
            guard case .connection(let message) = error else { throw error }
            #expect(message.contains("127.0.0.1:\(closed)") || message.lowercased().contains("server selection"), "\(message)")
        }
        // The URI's 300 ms is honoured, not libmongoc's default of 30 s; 15 s is room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(throws: MongoError.self) { try MongoDocumentStore(uri: "postgres://not-mongo", logger: DocumentFixtures.logger) }
    }
}

extension MockMongo {
    /// A loopback port nothing listens on (bound, then released).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw StartFailure(description: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
