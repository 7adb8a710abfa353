import Synchronization

/// Group commit across streams: appends that arrive while one is being written go to PostgreSQL
/// together, in one transaction and one multi-row `INSERT`, and each is acknowledged only after that
/// `COMMIT`. The stream workers already batch the commands of one stream; this batches the streams.
///
/// A conflict in one stream (its version was taken) must not fail the others: the batch is split, the
/// conflicting stream's appends fail with `wrongExpectedVersion` (their workers re-decide), and the rest
/// is written again. Two appends to one stream never share a batch (the second would always conflict).
///
/// Up to `maxWriting` transactions run at once, so an idle system adds no wait and one slow transaction
/// (a lock wait) does not hold up every other stream; appends queue only while all of them are busy.
final class AppendQueue: Sendable {
    typealias Write = @Sendable ([StreamWrite], [IdempotencyWrite]) async throws -> AppendResult

    struct Request: Sendable {
        var writes: [StreamWrite]
        var keys: [IdempotencyWrite]
        var reply: FirstOutcome<AppendResult>

        var eventCount: Int { writes.reduce(0) { $0 + $1.events.count } }
    }

    private struct State {
        var pending: [Request] = []
        var writing = 0
    }

    private let state = Mutex(State())
    private let write: Write
    /// Most events in one transaction.
    let maxEvents: Int
    /// Most transactions in flight at once.
    let maxWriting: Int

    init(maxEvents: Int = 2_000, maxWriting: Int = 4, write: @escaping Write) {
        self.maxEvents = maxEvents
        self.maxWriting = max(maxWriting, 1)
        self.write = write
    }

    func append(_ writes: [StreamWrite], idempotency: [IdempotencyWrite]) async throws -> AppendResult {
        let reply = FirstOutcome<AppendResult>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard reply.attach(continuation) else { return }
                let start = state.withLock { state -> Bool in
                    state.pending.append(Request(writes: writes, keys: idempotency, reply: reply))
                    guard state.writing < maxWriting else { return false }
                    state.writing += 1
                    return true
                }
                // Detached on purpose: once queued, an append is written even if its caller stops waiting
                // (its outcome is then unknown to the caller, exactly as for a lone append cut off mid-flight).
                if start { Task { await self.drain() } }
            }
        } onCancel: {
            reply.settle(.failure(CancellationError()))
        }
    }

    private func drain() async {
        while let batch = nextBatch() {
            await flush(batch)
        }
    }

    /// Takes the oldest appends that fit one transaction, at most one per stream; nil (and one writer
    /// fewer) when none are waiting.
    private func nextBatch() -> [Request]? {
        state.withLock { state -> [Request]? in
            guard !state.pending.isEmpty else {
                state.writing -= 1
                return nil
            }
            var batch: [Request] = []
            var rest: [Request] = []
            var streams: Set<String> = []
            var events = 0
            // A caller that stopped waiting before its append was sent gets nothing written.
            for request in state.pending where !request.reply.isSettled {
                let ids = request.writes.map(\.streamId)
                let size = request.eventCount
                if batch.isEmpty || (events + size <= maxEvents && streams.isDisjoint(with: ids)) {
                    batch.append(request)
                    streams.formUnion(ids)
                    events += size
                } else {
                    rest.append(request)
                }
            }
            state.pending = rest
            guard !batch.isEmpty else {
                state.writing -= 1
                return nil
            }
            return batch
        }
    }

    private func flush(_ batch: [Request]) async {
        if batch.count == 1 {
            let request = batch[0]
            do {
                request.reply.settle(.success(try await write(request.writes, request.keys)))
            } catch {
                request.reply.settle(.failure(error))
            }
            return
        }
        var writes: [StreamWrite] = []
        var keys: [IdempotencyWrite] = []
        var offsets: [Int] = []
        var events = 0
        for request in batch {
            offsets.append(events)
            writes += request.writes
            keys += request.keys.map { key in
                var key = key
                key.lastEventIndex += events
                return key
            }
            events += request.eventCount
        }
        do {
            let result = try await write(writes, keys)
            var written = 0
            for (index, request) in batch.enumerated() {
                let count = request.eventCount
                let positions = Array(result.positions[offsets[index]..<offsets[index] + count])
                let versions = Array(result.versions[written..<written + request.writes.count])
                written += request.writes.count
                request.reply.settle(.success(AppendResult(positions: positions, versions: versions)))
            }
        } catch EventStoreError.wrongExpectedVersion(let detail) {
            // Only the stream named in the violation lost; the others are written again without it.
            let losers = batch.filter { request in request.writes.contains { detail.contains("(\($0.streamId), ") } }
            guard !losers.isEmpty, losers.count < batch.count else { return await oneByOne(batch) }
            for loser in losers { loser.reply.settle(.failure(EventStoreError.wrongExpectedVersion(streamId: detail))) }
            await flush(batch.filter { request in !losers.contains { $0.reply === request.reply } })
        } catch EventStoreError.idempotencyKeyTaken {
            await oneByOne(batch)
        } catch {
            for request in batch { request.reply.settle(.failure(error)) }
        }
    }

    /// Each append in its own transaction, when a batch failed in a way that names no single culprit.
    private func oneByOne(_ batch: [Request]) async {
        for request in batch { await flush([request]) }
    }
}
