import Commands
import EventStore
import Foundation
import Testing

@testable import Projections

/// The booking id the read models take from an event without decoding it is the one `JSONDecoder` finds.
@Suite("Top-level JSON fields")
struct TopLevelJSONTests {
    private struct Reference: Decodable { var bookingId: String }

    func decoded(_ data: Data) -> String? { (try? JSONDecoder().decode(Reference.self, from: data))?.bookingId }

    @Test func everyRecordedEventNamesTheBookingTheDecoderFinds() throws {
        var events = 0
        var named = 0
        for name in ReplayScenarioTests.scenarios {
            for event in try ReplayScenarioTests.load(name).events {
                // As PostgreSQL renders the stored JSONB, and as the encoder writes it (compact, sorted keys).
                let compact = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: event.data), options: [.sortedKeys])
                for data in [event.data, compact] {
                    #expect(TopLevelJSON.string("bookingId", in: data) == decoded(data), "\(event.type): \(String(decoding: data, as: UTF8.self))")
                }
                events += 1
                if decoded(event.data) != nil { named += 1 }
            }
        }
        #expect(events > 50 && named > 30, "\(events) events, \(named) naming a booking")
    }

    @Test(arguments: [
        #"{"bookingId":"b1"}"#,
        #" { "seats" : ["A1", "A2"] , "bookingId" : "b-2" } "#,
        #"{"offer":{"bookingId":"inner"},"bookingId":"outer"}"#,
        #"{"hold":{"bookingId":"inner","x":[1,{"y":"}"}]},"n":-1.5e3,"t":true,"z":null}"#,
        #"{"note":"a \"quoted\" } bookingId","bookingId":"after-escapes"}"#,
        #"{"bookingId":"with \"escape\""}"#,
        #"{"booking\u0049d":"escaped-key"}"#,
        #"{"bookingId":7}"#,
        #"{"bookingId":null}"#,
        #"{"bookingId":{"id":"x"}}"#,
        #"{"bookingId":"été ☃"}"#,
        #"{}"#,
        #"[]"#,
        #"{"bookingId":"unterminated"#,
        #"{"a":1,"bookingId""#,
        #"not json"#,
        "",
    ])
    func edgeCasesAnswerAsTheDecoderDoes(_ text: String) {
        let data = Data(text.utf8)
        #expect(TopLevelJSON.string("bookingId", in: data) == decoded(data))
    }
}
