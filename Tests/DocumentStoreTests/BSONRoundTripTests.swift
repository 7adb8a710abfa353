import CMongoC
import Commands
import Foundation
import Testing

@testable import Projections

/// JSON → BSON (`bson_new_from_json`) → JSON (`BSONJSON`) must give back every read-model document
/// exactly: no server involved.
@Suite("BSON round trip")
struct BSONRoundTripTests {
    static func roundTrip(_ json: Data) throws -> Data {
        try BSONDocument(json: json).json()
    }

    static func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        let json = try DocumentFixtures.json(value)
        let back = try roundTrip(json)
        #expect(ProjectionFold.sameJSON(json, back), "\(String(decoding: back.prefix(300), as: UTF8.self))")
        return try EventJSON.decoder.decode(T.self, from: back)
    }

    @Test func everyReadModelDocumentComesBackEqual() throws {
        let map = DocumentFixtures.seatMap(seats: 2_000)
        #expect(map.seats.count == 2_000 && map.seats.contains { $0.holdExpiresAt != nil })
        #expect(try Self.roundTrip(map) == map)
        #expect(try Self.roundTrip(DocumentFixtures.session()) == DocumentFixtures.session())
        #expect(try Self.roundTrip(DocumentFixtures.session(startsAt: nil)) == DocumentFixtures.session(startsAt: nil))
        let booking = DocumentFixtures.booking("b1", amount: Decimal(string: "29.97")!, status: .held, position: 4_000_000_000_123)
        #expect(try Self.roundTrip(booking) == booking)
        #expect(try Self.roundTrip(DocumentFixtures.user()) == DocumentFixtures.user())
        #expect(try Self.roundTrip(DocumentFixtures.hall()) == DocumentFixtures.hall())
    }

    struct Money: Codable, Equatable {
        var amounts: [Decimal]
    }

    @Test func decimalPricesComeBackAsTheSameDecimalNumbers() throws {
        let amounts = ["12.5", "9.99", "0.1", "45.05", "29.97", "1234567.89", "0.0001", "-3.75", "37", "0", "99999999.99"]
            .map { Decimal(string: $0)! }
        #expect(try Self.roundTrip(Money(amounts: amounts)) == Money(amounts: amounts))
        let text = String(decoding: try Self.roundTrip(Data(#"{"p":9.99,"q":12.5,"n":37,"big":4000000000123}"#.utf8)), as: UTF8.self)
        #expect(text == #"{"p":9.99,"q":12.5,"n":37,"big":4000000000123}"#, "plain JSON numbers, not extended-JSON wrappers")
    }

    /// Why bodies are not rendered with `bson_as_relaxed_extended_json`: it prints doubles with
    /// `%.20g`, and 9.99 would no longer decode to the Decimal 9.99 that was stored.
    @Test func libbsonsOwnRelaxedJSONWouldNotKeepPricesExact() throws {
        let document = try BSONDocument(json: Data(#"{"p":9.99}"#.utf8))
        let rendered = bson_as_relaxed_extended_json(document.pointer, nil)!
        defer { bson_free(rendered) }
        #expect(String(cString: rendered).contains("9.9900000000000002"))
        #expect(String(decoding: try document.json(), as: UTF8.self) == #"{"p":9.99}"#)
    }

    @Test func unicodeAndEscapesSurvive() throws {
        let strings = [
            "Zoë Ångström-Núñez", "東京物語", "🎬🍿", "quote \" backslash \\ slash /", "line\nbreak\ttab\r",
            "bell \u{07} nul \u{00} end", "", "\u{2028}\u{2029}",
        ]
        let json = try JSONSerialization.data(withJSONObject: ["s": strings])
        let back = try JSONSerialization.jsonObject(with: try Self.roundTrip(json)) as? [String: [String]]
        #expect(back?["s"] == strings)
    }

    @Test func bsonTypesWithoutAJSONTwinGetAStableJSONForm() throws {
        let document = try BSONDocument([
            "at": .date(ISO8601.date(from: "2026-11-21T12:00:00.250Z")!), "n": .int32(-7), "l": .int64(Int64.max), "t": .bool(true),
            "z": .null, "nested": ["list": [.int32(1), "two", .double(3.5)]],
        ])
        let text = String(decoding: try document.json(), as: UTF8.self)
        #expect(text == #"{"at":"2026-11-21T12:00:00.250Z","n":-7,"l":9223372036854775807,"t":true,"z":null,"nested":{"list":[1,"two",3.5]}}"#)
    }

    @Test func onlyJSONObjectsAreAccepted() {
        #expect(throws: MongoError.self) { try BSONDocument(json: Data("[1,2]".utf8)) }
        #expect(throws: MongoError.self) { try BSONDocument(json: Data(#"{"a": }"#.utf8)) }
        #expect(throws: MongoError.self) { try BSONDocument(json: Data()) }
    }

    @Test func queriesTranslateToFiltersWithTheKeysetTieBreak() throws {
        let collection = SessionProjection.sessions
        let ascending = try MongoQuery(
            DocumentQuery(
                collection: collection, sortField: "startsAt", limit: 5,
                after: (sortValue: "2026-01-01T00:00:00.000Z", id: "s9")))
        #expect(
            ascending.filter == [
                "$or": [
                    ["body.startsAt": ["$gt": "2026-01-01T00:00:00.000Z"]],
                    ["body.startsAt": "2026-01-01T00:00:00.000Z", "_id": ["$gt": "s9"]],
                ]
            ])
        #expect(ascending.options == ["sort": ["body.startsAt": .int32(1), "_id": .int32(1)], "limit": .int64(5)])
        // A cursor taken on a document without the field: the rest of that group, then every string.
        let afterMissing = try MongoQuery(DocumentQuery(collection: collection, sortField: "startsAt", after: (sortValue: "", id: "s2")))
        #expect(
            afterMissing.filter == [
                "$or": [
                    ["body.startsAt": ["$gt": ""]],
                    ["body.startsAt": ["$in": [.null, ""]], "_id": ["$gt": "s2"]],
                ]
            ])
        let descendingMissing = try MongoQuery(
            DocumentQuery(
                collection: collection, sortField: "startsAt", descending: true,
                after: (sortValue: "", id: "s2")))
        #expect(descendingMissing.filter == ["body.startsAt": ["$in": [.null, ""]], "_id": ["$lt": "s2"]])
        let byId = try MongoQuery(DocumentQuery(collection: collection, descending: true, after: (sortValue: "s5", id: "s5")))
        #expect(byId.filter == ["_id": ["$lt": "s5"]])
        #expect(byId.options == ["sort": ["_id": .int32(-1)], "limit": .int64(100)])
        #expect(throws: MongoError.invalidField("body.x")) { try MongoQuery(DocumentQuery(collection: collection, filters: ["body.x": "1"])) }
    }
}
