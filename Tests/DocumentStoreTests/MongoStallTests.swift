import EventStore
import Foundation
import Projections
import TestSupport
import Testing

/// A MongoDB that stops answering without closing its sockets (issue 14, item 9): every call ends at the
/// socket timeout (2 s unless the URI sets one; twice that for a read libmongoc retries), at most the
/// admitted number of calls run or wait at once, and the rest are refused at once as unavailable (a 503
/// in the gateway), not queued without bound.
@Suite("MongoDB that stops answering")
struct MongoStallTests {
    @Test func callsEndAtTheSocketTimeoutAndTheRestAreRefusedAtOnce() async throws {
        let server = try await MockMongo(script: "mongo_emulator.py", scenario: "stall")
        let store = try MongoDocumentStore(
            uri: "mongodb://127.0.0.1:\(server.port)/boxoffice?serverSelectionTimeoutMS=5000", logger: TestDatabase.logger,
            threads: 2, admitLimit: 4, appName: "boxoffice-stall")

        func storm(_ calls: Int) async -> [MongoError?] {
            await withTaskGroup(of: MongoError?.self) { group in
                for _ in 0..<calls {
                    group.addTask {
                        do {
                            _ = try await store.get(UserProjection.users, id: "u1")
                            return nil
                        } catch let error as MongoError {
                            return error
                        } catch {
                            return .driver(domain: 0, code: 0, message: "\(error)")
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }

        let first = await storm(10)
        let refused = first.filter { if case .busy = $0 { true } else { false } }
        let timedOut = first.filter { if case .connection = $0 { true } else { false } }
        #expect(refused.count == 6, "beyond the 4 admitted calls, each is refused at once: \(first)")
        #expect(timedOut.count == 4, "the admitted calls end at the socket timeout as unavailable: \(first)")
        #expect(first.allSatisfy { $0?.isUnavailable == true })

        // The places are free again once the stalled calls ended.
        let again = await storm(1)
        guard case .connection? = again.first ?? nil else {
            Issue.record("a call after the storm is admitted (and times out again), not refused: \(again)")
            return
        }
    }
}
