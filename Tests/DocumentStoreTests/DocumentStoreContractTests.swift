import Commands
import EventStore
import Foundation
import Testing

@testable import Projections

/// What every `DocumentStore` must do, run against each store in `ContractStores.kinds`.
@Suite("DocumentStore contract")
struct DocumentStoreContractTests {
    static func body(_ fields: [String: String]) throws -> Data {
        try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }

    static func fields(_ document: StoredDocument?) throws -> [String: String] {
        let body = try #require(document).body
        return try #require(try JSONSerialization.jsonObject(with: body) as? [String: String])
    }

    static func checkpoint(_ position: Int64) -> Checkpoint {
        Checkpoint(transactionId: 900, position: position)
    }

    @Test(arguments: ContractStores.kinds)
    func anUpsertOnlyReplacesAnOlderVersion(_ kind: StoreKind) async throws {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let key = DocumentKey(Collection(projection: projection, name: "docs"), "d1")
        func put(_ version: Int64, _ label: String, at position: Int64) async throws {
            try await store.commit(
                [DocumentWrite(key: key, version: version, body: try Self.body(["label": label]))],
                projection: projection, generation: 1, checkpoint: Self.checkpoint(position), owner: "contract")
        }
        try await put(2, "second", at: 1)
        try await put(1, "first, redelivered late", at: 2)
        #expect(try Self.fields(try await store.get(key.collection, id: "d1")) == ["label": "second"], "an older version is ignored")
        try await put(2, "second again, different body", at: 3)
        var stored = try await store.get(key.collection, id: "d1")
        #expect(try Self.fields(stored) == ["label": "second"], "an equal version is ignored")
        #expect(stored?.version == 2)
        try await put(3, "third", at: 4)
        stored = try await store.get(key.collection, id: "d1")
        #expect(try Self.fields(stored) == ["label": "third"] && stored?.version == 3)
    }

    @Test(arguments: ContractStores.kinds)
    func getAndDocumentsReadOneGenerationAcrossCollections(_ kind: StoreKind) async throws {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let a = Collection(projection: projection, name: "alpha")
        let b = Collection(projection: projection, name: "beta")
        try await store.commit(
            [
                DocumentWrite(key: DocumentKey(a, "x"), version: 4, body: try Self.body(["v": "ax"])),
                DocumentWrite(key: DocumentKey(a, "y"), version: 5, body: try Self.body(["v": "ay"])),
                DocumentWrite(key: DocumentKey(b, "x"), version: 6, body: try Self.body(["v": "bx"])),
            ], projection: projection, generation: 1, checkpoint: Self.checkpoint(1), owner: "contract")

        #expect(try await store.documents([], generation: 1).isEmpty)
        let loaded = try await store.documents(
            [DocumentKey(a, "x"), DocumentKey(b, "x"), DocumentKey(b, "y"), DocumentKey(a, "zz")],
            generation: 1)
        #expect(Set(loaded.keys) == [DocumentKey(a, "x"), DocumentKey(b, "x")])
        #expect(loaded[DocumentKey(a, "x")]?.version == 4 && loaded[DocumentKey(b, "x")]?.version == 6)
        #expect(try Self.fields(loaded[DocumentKey(b, "x")]) == ["v": "bx"])
        #expect(try await store.documents([DocumentKey(a, "x")], generation: 2).isEmpty, "another generation is another namespace")
        #expect(try await store.get(a, id: "y")?.id == "y")
        #expect(try await store.get(b, id: "y") == nil)
        #expect(try await store.get(Collection(projection: ContractStores.projection(), name: "alpha"), id: "x") == nil)
    }

    @Test(arguments: ContractStores.kinds)
    func checkpointsStartAtTheStartAndOnlyMoveForward(_ kind: StoreKind) async throws {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let empty = try await store.checkpoint(projection: projection, generation: 1)
        #expect(empty.checkpoint == .start && empty.updatedAt == nil)
        #expect(try await store.appliedPosition(projection: projection).checkpoint == .start)
        func commit(_ checkpoint: Checkpoint) async throws {
            try await store.commit([], projection: projection, generation: 1, checkpoint: checkpoint, owner: "contract")
        }
        try await commit(Checkpoint(transactionId: 10, position: 5))
        var position = try await store.checkpoint(projection: projection, generation: 1)
        #expect(position.checkpoint == Checkpoint(transactionId: 10, position: 5))
        #expect(abs(try #require(position.updatedAt).timeIntervalSinceNow) < 120)
        try await commit(Checkpoint(transactionId: 10, position: 4))
        try await commit(Checkpoint(transactionId: 9, position: 50))
        #expect(
            try await store.checkpoint(projection: projection, generation: 1).checkpoint == Checkpoint(transactionId: 10, position: 5),
            "a late writer never moves a checkpoint back")
        try await commit(Checkpoint(transactionId: 11, position: 1))
        position = try await store.appliedPosition(projection: projection)
        #expect(position.checkpoint == Checkpoint(transactionId: 11, position: 1))
        #expect(try await store.checkpoint(projection: projection, generation: 2).checkpoint == .start)
    }

    @Test(arguments: ContractStores.kinds)
    func aRebuiltGenerationIsInvisibleUntilActivatedThenTheOthersAreGone(_ kind: StoreKind) async throws {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let docs = Collection(projection: projection, name: "docs")
        try await store.commit(
            [DocumentWrite(key: DocumentKey(docs, "d"), version: 1, body: try Self.body(["g": "one"]))],
            projection: projection, generation: 1, checkpoint: Self.checkpoint(7), owner: "live")
        try await store.commit(
            [
                DocumentWrite(key: DocumentKey(docs, "d"), version: 1, body: try Self.body(["g": "two"])),
                DocumentWrite(key: DocumentKey(docs, "e"), version: 1, body: try Self.body(["g": "two"])),
            ],
            projection: projection, generation: 2, checkpoint: Self.checkpoint(8), owner: "rebuild")
        #expect(try await store.activeGeneration(projection: projection) == 1)
        #expect(try Self.fields(try await store.get(docs, id: "d")) == ["g": "one"], "queries read the active generation")
        #expect(try await store.find(DocumentQuery(collection: docs)).map(\.id) == ["d"])
        #expect(try await store.appliedPosition(projection: projection).checkpoint == Self.checkpoint(7))

        try await store.activate(projection: projection, generation: 2)
        #expect(try await store.activeGeneration(projection: projection) == 2)
        #expect(try Self.fields(try await store.get(docs, id: "d")) == ["g": "two"])
        #expect(try await store.find(DocumentQuery(collection: docs)).map(\.id) == ["d", "e"])
        #expect(try await store.appliedPosition(projection: projection).checkpoint == Self.checkpoint(8))
        #expect(try await store.documents([DocumentKey(docs, "d")], generation: 1).isEmpty, "the old generation is gone")
        #expect(try await store.checkpoint(projection: projection, generation: 1).checkpoint == .start)

        await #expect(throws: StaleGeneration(projection: projection, generation: 1, active: 2)) {
            try await store.commit(
                [DocumentWrite(key: DocumentKey(docs, "late"), version: 9, body: try Self.body(["g": "one"]))],
                projection: projection, generation: 1, checkpoint: Self.checkpoint(9), owner: "deposed")
        }
        #expect(try await store.documents([DocumentKey(docs, "late")], generation: 1).isEmpty, "a refused commit writes nothing")
        #expect(try await store.get(docs, id: "late") == nil)
    }

    @Test(arguments: ContractStores.kinds)
    func dropForgetsAnAbandonedGenerationOnly(_ kind: StoreKind) async throws {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let docs = Collection(projection: projection, name: "docs")
        let more = Collection(projection: projection, name: "more")
        for generation in [1, 3] {
            try await store.commit(
                [
                    DocumentWrite(key: DocumentKey(docs, "d"), version: 1, body: try Self.body(["g": "\(generation)"])),
                    DocumentWrite(key: DocumentKey(more, "m"), version: 1, body: try Self.body(["g": "\(generation)"])),
                ],
                projection: projection, generation: generation, checkpoint: Self.checkpoint(Int64(generation)),
                owner: "contract")
        }
        try await store.drop(projection: projection, generation: 3)
        #expect(try await store.documents([DocumentKey(docs, "d"), DocumentKey(more, "m")], generation: 3).isEmpty)
        #expect(try await store.checkpoint(projection: projection, generation: 3).checkpoint == .start)
        #expect(try await store.documents([DocumentKey(docs, "d"), DocumentKey(more, "m")], generation: 1).count == 2)
        #expect(try await store.appliedPosition(projection: projection).checkpoint == Self.checkpoint(1))
        #expect(try await store.activeGeneration(projection: projection) == 1)
        try await store.drop(projection: projection, generation: 4)
    }

    @Test(arguments: ContractStores.kinds)
    func everyReadModelDocumentRoundTripsThroughTheStore(_ kind: StoreKind) async throws {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let map = DocumentFixtures.seatMap(seats: 2_000)
        let session = DocumentFixtures.session(startsAt: nil)
        let booking = DocumentFixtures.booking("b1", amount: Decimal(string: "29.97")!, status: .held)
        let user = DocumentFixtures.user()
        let hall = DocumentFixtures.hall()
        func key(_ name: String) -> DocumentKey { DocumentKey(Collection(projection: projection, name: name), "x") }
        try await store.commit(
            [
                DocumentWrite(key: key("seatmaps"), version: 17, body: try DocumentFixtures.json(map)),
                DocumentWrite(key: key("sessions"), version: 17, body: try DocumentFixtures.json(session)),
                DocumentWrite(key: key("bookings"), version: 17, body: try DocumentFixtures.json(booking)),
                DocumentWrite(key: key("users"), version: 1, body: try DocumentFixtures.json(user)),
                DocumentWrite(key: key("halls"), version: 1, body: try DocumentFixtures.json(hall)),
            ], projection: projection, generation: 1, checkpoint: Self.checkpoint(1), owner: "contract")
        func read<T: Decodable>(_ name: String, as type: T.Type) async throws -> T {
            try EventJSON.decoder.decode(T.self, from: try #require(try await store.get(key(name).collection, id: "x")).body)
        }
        #expect(try await read("seatmaps", as: SeatMap.self) == map)
        #expect(try await read("sessions", as: SessionDocument.self) == session)
        #expect(try await read("bookings", as: BookingDocument.self) == booking)
        #expect(try await read("users", as: UserDocument.self) == user)
        #expect(try await read("halls", as: HallDocument.self) == hall)
    }
}
