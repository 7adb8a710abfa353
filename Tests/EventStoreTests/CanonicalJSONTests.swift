import EventStore
import Foundation
import Testing

/// What an idempotency key's fingerprint hashes: one spelling per JSON value.
@Suite("Canonical JSON")
struct CanonicalJSONTests {
    func canonical(_ text: String) -> String? {
        CanonicalJSON.bytes(Data(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func spellingsOfOneValueHaveOneForm() {
        let spellings = [
            #"{"seats":["A1","A2"],"confirm":true,"qty":2,"note":"é\"/\\x","nested":{"b":null,"a":[1.5,-0.25e1]}}"#,
            #" { "qty" : 2.0 , "nested" : { "a" : [ 15e-1 , -2.5 ] , "b" : null } , "note" : "\u00e9\"\/\\x" , "seats" : [ "A1" , "A\u0032" ] , "confirm" : true } "#,
            "{\n\t\"confirm\": true,\r\n\"seats\": [\"A1\", \"A2\"], \"qty\": 20E-1, \"note\": \"\\u00E9\\\"/\\\\x\", \"nested\": {\"b\": null, \"a\": [1.50, -2.5]}}",
        ]
        let forms = spellings.map(canonical)
        #expect(forms[0] == #"{"confirm":true,"nested":{"a":[1.5,-2.5],"b":null},"note":"é\"/\\x","qty":2,"seats":["A1","A2"]}"#)
        #expect(Set(forms).count == 1, "\(forms)")
    }

    @Test func differentValuesHaveDifferentForms() {
        let values = [
            #"{"seats":["A1","A2"]}"#, #"{"seats":["A2","A1"]}"#, #"{"seats":["A1"]}"#, #"{"seat":["A1","A2"]}"#,
            #"{"qty":2}"#, #"{"qty":"2"}"#, #"{"qty":2.5}"#, #"{"qty":-2}"#, #"{"qty":null}"#, #"{"qty":true}"#, #"{"qty":false}"#,
            #"{"qty":[2]}"#, #"{"qty":{"n":2}}"#, #"{}"#, #"[]"#, #""""#, #"" ""#, "0", #""\u0000""#, #""\u0001""#,
            #"{"a":{"b":1},"c":2}"#, #"{"a":{"b":1,"c":2}}"#, #""😀""#, #""\ud83d\ude01""#,
        ]
        let forms = values.map(canonical)
        #expect(!forms.contains(nil))
        #expect(Set(forms).count == values.count, "\(forms)")
    }

    @Test func surrogatePairsAndControlCharactersRoundTrip() throws {
        #expect(canonical(#""\ud83d\ude00""#) == #""😀""#)
        #expect(canonical(#""a\nb\u001f""#) == #""a\u000ab\u001f""#)
        // The form is JSON and means the same value as the input.
        let input = #"{"x":["\ud83d\ude00","tab\there",1e2,0.1],"y":{"z":"\\\""}}"#
        let form = try #require(canonical(input))
        let parsed = try JSONSerialization.jsonObject(with: Data(form.utf8)) as? NSDictionary
        #expect(parsed == (try JSONSerialization.jsonObject(with: Data(input.utf8)) as? NSDictionary))
    }

    @Test(arguments: [
        "", " ", "{", "}", #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#, "[1,]", "[1 2]", #""open"#, #""bad \q escape""#,
        #""\ud83d alone""#, #""\udc00""#, "tru", "nul", "-", "1.", "1e", ".5", "1 2", #"{"a":1}x"#, "\"tab\there\"",
        String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ])
    func whatIsNotOneJSONValueHasNoForm(_ text: String) {
        #expect(canonical(text) == nil, "\(text)")
    }

    @Test func invalidUTF8HasNoForm() {
        #expect(CanonicalJSON.bytes(Data([0x22, 0xFF, 0x22])) == nil)
        #expect(CanonicalJSON.bytes(Data([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22])) == nil)
    }
}
