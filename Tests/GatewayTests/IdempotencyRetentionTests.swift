import Commands
import EventStore
import Foundation
import Gateway
import PostgresNIO
import Projections
import TestSupport
import Testing

/// Issue 14 item 6: idempotency keys are forgotten after their retention (default 24 h) by the expiry
/// worker, so the table no longer only grows; younger keys still replay.
@Suite("Idempotency key retention")
struct IdempotencyRetentionTests {
    @Test func theExpiryWorkerDeletesKeysOlderThanTheRetentionAndKeepsTheRest() async throws {
        let store = try await TestDatabase.store()
        let scope = "retention-\(UUID().uuidString)"
        let old = IdempotencyKey(principal: scope, key: "old")
        let young = IdempotencyKey(principal: scope, key: "young")
        for key in [old, young] {
            let write = StreamWrite(
                streamId: TestDatabase.uniqueStream("retention"), expected: .noStream,
                events: [
                    NewEvent(type: "Noted", data: Data("{}".utf8), metadata: EventMetadata(correlationId: "retention"))
                ])
            _ = try await store.append(
                [write], idempotency: [IdempotencyWrite(key: key, lastEventIndex: 0, outcome: Data("{}".utf8), requestHash: "h")])
        }
        // A day and an hour ago by the database's clock, which is the one the clean-up reads.
        try await TestDatabase.client.query(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE principal = \(scope) AND key = 'old'",
            logger: TestDatabase.logger)

        #expect(IdempotencyRetention.standard.keepFor == .seconds(86_400), "the contract: at least 24 h")
        let worker = ExpiryWorker(
            sessions: CommandHandler<SessionDecider>(store: store),
            documents: PostgresDocumentStore(client: TestDatabase.client, logger: TestDatabase.logger),
            workerId: "retention-test", logger: TestDatabase.logger,
            keyCleanup: .init(retention: .standard) { age, limit in try await store.deleteIdempotencyKeys(olderThan: age, limit: limit) })
        #expect(try await worker.cleanUpKeys() >= 1)
        #expect(try await store.storedOutcome(for: old) == nil, "a key past its retention is forgotten")
        #expect(try await store.storedOutcome(for: young) != nil, "a key within its retention still replays")
    }

    @Test func aNonsenseRetentionIsRefusedAtStartUp() async throws {
        let worker = try await ServerProcess(arguments: ["expire"], environment: ["IDEMPOTENCY_RETENTION": "-5"], waitForHealth: false)
        defer { worker.stop() }
        #expect(worker.waitForExit() != 0)
        #expect(worker.log().contains("IDEMPOTENCY_RETENTION"), "\(worker.log())")
    }
}
