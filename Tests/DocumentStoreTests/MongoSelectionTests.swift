import Foundation
import TestSupport
import Testing

/// The real executable with `MONGODB_URI`: nothing else to configure, and `/health` names the store
/// that serves the read models and says whether it answers.
@Suite("MongoDB selection")
struct MongoSelectionTests {
    @Test func theURIAloneSelectsMongoDBAndHealthSaysWhetherItAnswers() async throws {
        let mock = try await MockMongo(scenario: "health")
        // Starting waits for a 200 from /health: event store and read models (the script) both up.
        // Without a timeout in the URI the store waits 2 s for a server; 1 s keeps the test short.
        let server = try await ServerProcess(environment: ["MONGODB_URI": mock.uri(serverSelectionTimeoutMS: 1_000)])
        defer { server.stop() }
        let (status, output) = await mock.finish()
        #expect(status == 0, "\(output)\n--- boxoffice ---\n\(server.log())")

        // The scripted server has gone: the read-model store no longer answers.
        let reply = try await HTTP.send(.GET, "\(server.baseURL)/health", token: server.adminToken)
        #expect(reply.json["readModels"] != nil, "\(reply.status) \(reply.text)")
        let readModels = reply.json["readModels"] as? [String: Any]
        #expect(reply.status == 503)
        #expect(readModels?["kind"] as? String == "mongodb")
        #expect(readModels?["status"] as? String == "down")
        #expect((readModels?["error"] as? String)?.contains("MongoDB") == true, "\(reply.text)")
        #expect((reply.json["eventStore"] as? [String: Any])?["status"] as? String == "up")
        // A query route answers 503, not 500, while the read-model store is away.
        let query = try await HTTP.send(.GET, "\(server.baseURL)/sessions")
        #expect(query.status == 503 && query.errorCode == "unavailable", "\(query.status) \(query.text)")
    }
}
