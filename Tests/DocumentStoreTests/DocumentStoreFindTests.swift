import EventStore
import Foundation
import Testing

@testable import Projections

/// `find`: equality filters, sort by a field then id (ascending and descending, ties and missing
/// values included), limit, and keyset pages that together give the whole ordered result.
@Suite("DocumentStore contract: find")
struct DocumentStoreFindTests {
    struct Item {
        var id: String
        var userId: String
        var status: String
        var createdAt: String?

        var json: [String: String] {
            var fields = ["id": id, "userId": userId, "status": status]
            fields["createdAt"] = createdAt
            return fields
        }
    }

    /// Twelve items: two ties on createdAt, two without createdAt, two users, two statuses.
    static let items: [Item] = (1...12).map { index in
        let id = String(format: "i%02d", index)
        let createdAt: String? =
            switch index {
            case 3, 4: "2026-03-01T10:00:00.000Z"
            case 7, 8, 9: "2026-03-02T08:00:00.500Z"
            case 11, 12: nil
            default: "2026-0\(index % 9 + 1)-15T12:00:00.000Z"
            }
        return Item(
            id: id, userId: index.isMultiple(of: 2) ? "u2" : "u1", status: index % 3 == 0 ? "HELD" : "CONFIRMED",
            createdAt: createdAt)
    }

    /// The order both stores must give: a missing sort value sorts as "", ties by id.
    static func expected(_ items: [Item], descending: Bool) -> [String] {
        let sorted = items.sorted { ($0.createdAt ?? "", $0.id) < ($1.createdAt ?? "", $1.id) }.map(\.id)
        return descending ? sorted.reversed() : sorted
    }

    static func seeded(_ kind: StoreKind) async throws -> (any DocumentStore, Collection) {
        let store = try await ContractStores.store(kind)
        let projection = ContractStores.projection()
        let collection = Collection(projection: projection, name: "items")
        try await store.commit(
            try items.map {
                DocumentWrite(
                    key: DocumentKey(collection, $0.id), version: 1,
                    body: try JSONSerialization.data(withJSONObject: $0.json, options: [.sortedKeys]))
            }, projection: projection, generation: 1, checkpoint: Checkpoint(transactionId: 1, position: 1), owner: "contract")
        return (store, collection)
    }

    /// Every page of `query`, `limit` at a time, following the keyset cursor of each last item.
    static func pages(_ store: any DocumentStore, _ query: DocumentQuery) async throws -> [[String]] {
        var query = query
        var pages: [[String]] = []
        while pages.count < 50 {
            let page = try await store.find(query)
            guard !page.isEmpty else { return pages }
            pages.append(page.map(\.id))
            let last = try #require(try JSONSerialization.jsonObject(with: page.last!.body) as? [String: String])
            query.after = (sortValue: query.sortField.map { last[$0] ?? "" } ?? last["id"]!, id: page.last!.id)
        }
        Issue.record("paging did not end")
        return pages
    }

    @Test(arguments: ContractStores.kinds)
    func pagesAscendingAndDescendingGiveTheWholeOrderedResult(_ kind: StoreKind) async throws {
        let (store, collection) = try await Self.seeded(kind)
        for descending in [false, true] {
            let pages = try await Self.pages(
                store,
                DocumentQuery(
                    collection: collection, sortField: "createdAt", descending: descending,
                    limit: 3))
            #expect(pages.map(\.count) == [3, 3, 3, 3], "descending \(descending): \(pages)")
            #expect(pages.flatMap { $0 } == Self.expected(Self.items, descending: descending), "descending \(descending)")
        }
        let one = try await Self.pages(store, DocumentQuery(collection: collection, sortField: "createdAt", limit: 1))
        #expect(one.flatMap { $0 } == Self.expected(Self.items, descending: false), "pages of one cross every tie")
    }

    @Test(arguments: ContractStores.kinds)
    func filtersCombineWithSortLimitAndCursor(_ kind: StoreKind) async throws {
        let (store, collection) = try await Self.seeded(kind)
        let mine = Self.items.filter { $0.userId == "u1" && $0.status == "CONFIRMED" }
        let query = DocumentQuery(
            collection: collection, filters: ["userId": "u1", "status": "CONFIRMED"], sortField: "createdAt",
            descending: true, limit: 2)
        let pages = try await Self.pages(store, query)
        #expect(pages.flatMap { $0 } == Self.expected(mine, descending: true))
        #expect(pages.dropLast().allSatisfy { $0.count == 2 })
        let first = try await store.find(query)
        #expect(first.map(\.id) == Array(Self.expected(mine, descending: true).prefix(2)), "limit")
        #expect(try await store.find(DocumentQuery(collection: collection, filters: ["userId": "nobody"])).isEmpty)
        #expect(try await store.find(DocumentQuery(collection: collection, limit: 0)).isEmpty, "a limit of 0 is nothing, not everything")
        #expect(
            try await store.find(DocumentQuery(collection: collection, filters: ["status": "HELD"], limit: 100)).map(\.id)
                == Self.items.filter { $0.status == "HELD" }.map(\.id).sorted())
    }

    @Test(arguments: ContractStores.kinds)
    func withoutASortFieldItSortsByIdAndRefusesFieldsThatAreNotIdentifiers(_ kind: StoreKind) async throws {
        let (store, collection) = try await Self.seeded(kind)
        let pages = try await Self.pages(store, DocumentQuery(collection: collection, limit: 5))
        #expect(pages.flatMap { $0 } == Self.items.map(\.id).sorted())
        let backwards = try await Self.pages(store, DocumentQuery(collection: collection, descending: true, limit: 5))
        #expect(backwards.flatMap { $0 } == Self.items.map(\.id).sorted().reversed())
        await #expect(throws: (any Error).self) { try await store.find(DocumentQuery(collection: collection, filters: ["a.b": "x"])) }
        await #expect(throws: (any Error).self) { try await store.find(DocumentQuery(collection: collection, sortField: "$where")) }
    }
}
