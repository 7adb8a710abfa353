import Commands
import Foundation
import Testing

// The store persists only `typeName` and `encodedData()`; anything lost here is lost from the log.
@Suite("Events: stored form round-trips")
struct EventCodingTests {
    // 125 ms is exact in binary, so equality after a round trip tests the codec, not float rounding.
    static let exactMillis = Date(timeIntervalSince1970: 1_795_000_000.125)
    // An ordinary millisecond instant, as a client or `now` would produce it.
    static let withMillis = Date(timeIntervalSince1970: 1_795_000_000.123)

    static let sessionEvents: [SessionEvent] = [
        .scheduled(seatedSession),
        .scheduled(gaSession),
        .scheduled(gaOneSection),
        .bookingPlaced(
            BookingPlaced(
                bookingId: "b1", userId: "u1", seats: ["A1", "C1"], sectionId: nil, qty: nil, amount: 22.5,
                status: .held, holdExpiresAt: exactMillis.addingTimeInterval(ttl), createdAt: exactMillis)),
        .bookingPlaced(
            BookingPlaced(
                bookingId: "b2", userId: "u2", seats: nil, sectionId: "floor", qty: 3, amount: Decimal(string: "59.97")!,
                status: .confirmed, holdExpiresAt: nil, createdAt: t0)),
        .bookingConfirmed(BookingChanged(bookingId: "b1", at: t0.addingTimeInterval(0.5))),
        .bookingCancelled(BookingChanged(bookingId: "b1", at: t0)),
        .holdExpired(BookingChanged(bookingId: "b1", at: t0.addingTimeInterval(ttl))),
    ]

    @Test(arguments: sessionEvents)
    func sessionEventRoundTrips(_ event: SessionEvent) throws {
        let decoded = try SessionEvent.decode(type: event.typeName, data: event.encodedData())
        #expect(decoded == event)
    }

    @Test func sessionTypeNamesAreStable() {
        #expect(
            Self.sessionEvents.map(\.typeName) == [
                "SessionScheduled", "SessionScheduled", "SessionScheduled", "BookingPlaced", "BookingPlaced",
                "BookingConfirmed", "BookingCancelled", "HoldExpired",
            ])
    }

    @Test func hallCreatedRoundTrips() throws {
        let event = HallEvent.created(HallCreated(hallId: "h1", name: "Hall 1", sections: [stalls, balcony]))
        #expect(event.typeName == "HallCreated")
        #expect(try HallEvent.decode(type: event.typeName, data: event.encodedData()) == event)
    }

    @Test func userRegisteredRoundTrips() throws {
        let event = UserEvent.registered(
            UserRegistered(
                userId: "u1", name: "Ada", email: "ada@example.com", tokenHash: "abc", registeredAt: t0))
        #expect(event.typeName == "UserRegistered")
        #expect(try UserEvent.decode(type: event.typeName, data: event.encodedData()) == event)
    }

    // Each aggregate ignores the others' types, so one stream reader can skip what it does not know.
    @Test func unknownTypesDecodeToNil() throws {
        let data = Data("{}".utf8)
        #expect(try SessionEvent.decode(type: "HallCreated", data: data) == nil)
        #expect(try SessionEvent.decode(type: "SomethingNew", data: data) == nil)
        #expect(try HallEvent.decode(type: "BookingPlaced", data: data) == nil)
        #expect(try UserEvent.decode(type: "HallCreated", data: data) == nil)
    }

    @Test func aKnownTypeWithABadPayloadThrows() {
        #expect(throws: (any Error).self) { try SessionEvent.decode(type: "BookingPlaced", data: Data("{}".utf8)) }
    }

    @Test func payloadUsesISODatesWithMillisAndPlainDecimals() throws {
        let event = SessionEvent.bookingConfirmed(BookingChanged(bookingId: "b1", at: t0.addingTimeInterval(0.25)))
        #expect(String(decoding: try event.encodedData(), as: UTF8.self) == #"{"at":"2026-11-18T11:06:40.250Z","bookingId":"b1"}"#)

        let placed = SessionEvent.bookingPlaced(
            BookingPlaced(
                bookingId: "b", userId: "u", seats: nil, sectionId: "floor", qty: 1, amount: 12.5,
                status: .held, holdExpiresAt: t0, createdAt: t0))
        #expect(String(decoding: try placed.encodedData(), as: UTF8.self).contains(#""amount":12.5,"#))
        #expect(String(decoding: try placed.encodedData(), as: UTF8.self).contains(#""status":"HELD""#))
    }

    // Payloads written by older code or by hand may omit the fraction.
    @Test func decodesDatesWithoutFraction() throws {
        let data = Data(#"{"at":"2026-11-18T11:06:40Z","bookingId":"b1"}"#.utf8)
        #expect(try SessionEvent.decode(type: "HoldExpired", data: data) == .holdExpired(BookingChanged(bookingId: "b1", at: t0)))
    }

    // A stored instant must come back as the same millisecond, or a hold's deadline drifts each time it is re-encoded.
    @Test func millisecondDatesKeepTheirMillisecond() throws {
        let event = SessionEvent.bookingConfirmed(BookingChanged(bookingId: "b1", at: Self.withMillis))
        let decoded = try #require(try SessionEvent.decode(type: event.typeName, data: event.encodedData()))
        guard case .bookingConfirmed(let change) = decoded else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(abs(change.at.timeIntervalSince(Self.withMillis)) < 0.0005)
        #expect(ISO8601.string(from: Self.withMillis) == "2026-11-18T11:06:40.123Z")
    }

    @Test(arguments: ["2026-11-21T10:00:00.000Z", "2026-11-21T10:00:00.005Z", "2026-11-21T10:00:00.123Z", "2026-11-21T10:00:00.999Z"])
    func timestampTextIsStable(_ text: String) throws {
        let date = try #require(ISO8601.date(from: text))
        #expect(ISO8601.string(from: date) == text)
    }

    @Test func malformedTimestampsAreRejected() {
        #expect(ISO8601.date(from: "yesterday") == nil)
        #expect(ISO8601.date(from: "2026-13-01T00:00:00Z") == nil)
    }
}
