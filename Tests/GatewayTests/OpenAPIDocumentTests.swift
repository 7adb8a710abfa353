import Foundation
import Gateway
import TestSupport
import Testing

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    private func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: GatewayRouter.openAPIDocument) as? [String: Any])
    }

    private func operations() throws -> [(key: String, operation: [String: Any])] {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        return paths.flatMap { path, item in
            item.compactMap { method, operation in
                Self.methods.contains(method) ? ("\(method.uppercased()) \(path)", operation as? [String: Any] ?? [:]) : nil
            }
        }
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() async throws {
        let routed = try await RouteList.all()
        let documented = Set(try operations().map(\.key))
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from openapi.json")
        #expect(documented.subtracting(routed).sorted() == [], "documented operations the router lacks")
        #expect(routed.contains("GET /openapi.json"))
    }

    @Test func everyOperationDeclaresItsAuthErrorsAndLimits() throws {
        let document = try document()
        #expect(document["openapi"] as? String == "3.1.0")
        var operationIds = Set<String>()
        for (key, operation) in try operations() {
            let id = try #require(operation["operationId"] as? String, "\(key) has an operationId")
            #expect(operationIds.insert(id).inserted, "operationId \(id) is unique")
            let responses = try #require(operation["responses"] as? [String: Any], "\(key) has responses")
            #expect(responses["429"] != nil && responses["503"] != nil, "\(key) documents 429 and 503")
            let secured = !((operation["security"] as? [Any]) ?? []).isEmpty
            #expect(secured == (responses["401"] != nil), "\(key): a secured operation documents 401, an open one does not")
            if key.hasPrefix("POST ") { #expect(responses["413"] != nil && responses["400"] != nil, "\(key) documents 400 and 413") }
            // Every `{param}` in the path is declared.
            let path = String(key.split(separator: " ")[1])
            let declared = Set(
                ((operation["parameters"] as? [[String: Any]]) ?? []).compactMap { parameter -> String? in
                    guard let ref = parameter["$ref"] as? String else { return parameter["name"] as? String }
                    return ref.split(separator: "/").last.map(String.init)
                })
            for segment in path.split(separator: "/") where segment.hasPrefix("{") {
                #expect(declared.contains(String(segment.dropFirst().dropLast())), "\(key) declares \(segment)")
            }
        }
    }

    @Test func theServedDocumentIsTheCommittedFile() async throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Gateway/openapi.json")
        let committed = try Data(contentsOf: file)
        try await Harness().run { api in
            let served = try await api.call(.get, "/openapi.json")
            #expect(served.status == 200)
            #expect(served.body == committed)
            #expect(served.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }
}
