import Commands
import Foundation

/// Owns the cached state of one stream and serialises the commands on it (group commit).
actor StreamWorker<D: Decider> {
    private struct Job {
        var command: D.Command
        var metadata: EventMetadata
        var idempotency: IdempotencyRequest?
        var reply: FirstOutcome<CommandResult<D>>
    }

    private enum Decision {
        case recorded(events: [D.Event], outcome: D.Outcome, lastIndex: Int)
        case noChange(outcome: D.Outcome)
        case refused(DomainError)
    }

    let streamId: String
    let store: any EventStore
    let policy: RetryPolicy
    let statistics: CommandStatistics
    let clock: @Sendable () -> Date
    let onCommitted: (@Sendable (String, [CommittedEvent<D.Event>]) -> Void)?

    private var state = D.initialState
    private var version = 0
    private var lastPosition: Int64 = 0
    private var loaded = false
    private var pending: [Job] = []
    private var draining = false
    /// The last read started for `current()`, and the next one while it has not begun: callers that
    /// arrive meanwhile share that next read (see `current()`).
    private var lastRead: Task<Void, any Error>?
    private var joinableRead: Task<Void, any Error>?

    init(
        streamId: String, store: any EventStore, policy: RetryPolicy, statistics: CommandStatistics,
        clock: @escaping @Sendable () -> Date, onCommitted: (@Sendable (String, [CommittedEvent<D.Event>]) -> Void)?
    ) {
        self.streamId = streamId
        self.store = store
        self.policy = policy
        self.statistics = statistics
        self.clock = clock
        self.onCommitted = onCommitted
    }

    func submit(_ command: D.Command, metadata: EventMetadata, idempotency: IdempotencyRequest?) async throws -> CommandResult<D> {
        let reply = FirstOutcome<CommandResult<D>>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard reply.attach(continuation) else { return }
                pending.append(Job(command: command, metadata: metadata, idempotency: idempotency, reply: reply))
                if !draining {
                    draining = true
                    // Detached from the request on purpose: a command already being appended completes
                    // even if its caller gives up; one still queued is dropped (see `process`).
                    Task { await self.drain() }
                }
            }
        } onCancel: {
            reply.settle(.failure(CancellationError()))
        }
    }

    /// The state with every event committed before this call: many readers of one hot session cost one
    /// read of the stream per database round trip, not one each. A read already running may have begun
    /// before this caller arrived, so the caller joins the next one, which begins once it ends; all who
    /// arrive until then share it.
    func current() async throws -> (state: D.State, version: Int, position: Int64) {
        let read: Task<Void, any Error>
        if let joinable = joinableRead {
            read = joinable
        } else {
            let previous = lastRead
            read = Task {
                _ = await previous?.result
                // From here on a new caller may have arrived after this read began: it makes the next one.
                self.joinableRead = nil
                try await self.refresh()
            }
            joinableRead = read
            lastRead = read
        }
        try await read.value
        return (state, version, lastPosition)
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(policy.maxBatch))
            pending.removeFirst(batch.count)
            await process(batch)
        }
        draining = false
    }

    private func process(_ jobs: [Job]) async {
        // A caller that timed out or went away before its command was decided gets nothing decided.
        let jobs = jobs.filter { !$0.reply.isSettled }
        guard !jobs.isEmpty else { return }
        var attempt = 0
        var readSinceStart = false
        while true {
            do {
                if !loaded {
                    try await refresh()
                    readSinceStart = true
                }
                var working = state
                let now = clock()
                var events: [NewEvent] = []
                var decisions: [Decision] = []
                for job in jobs {
                    do {
                        let decided = try D.decide(job.command, working, now: now)
                        for event in decided { D.evolve(&working, event) }
                        let outcome = D.outcome(of: job.command, in: working)
                        if decided.isEmpty {
                            decisions.append(.noChange(outcome: outcome))
                        } else {
                            for event in decided {
                                events.append(NewEvent(type: event.typeName, data: try event.encodedData(), metadata: job.metadata))
                            }
                            decisions.append(.recorded(events: decided, outcome: outcome, lastIndex: events.count - 1))
                        }
                    } catch let refusal as DomainError {
                        decisions.append(.refused(refusal))
                    }
                }

                if events.isEmpty {
                    // Refusals and no-ops are only as good as the state they saw: confirm it is current.
                    if !readSinceStart {
                        let before = version
                        try await refresh()
                        readSinceStart = true
                        if version != before { continue }
                    }
                    finish(jobs, decisions, positions: [])
                    return
                }

                let keys = try zip(jobs, decisions).compactMap { job, decision -> IdempotencyWrite? in
                    guard let request = job.idempotency, case .recorded(_, let outcome, let lastIndex) = decision else { return nil }
                    return IdempotencyWrite(
                        key: request.key, lastEventIndex: lastIndex, outcome: try EventJSON.encoder.encode(outcome), requestHash: request.requestHash)
                }
                let (store, write) = (store, StreamWrite(streamId: streamId, expected: .exact(version), events: events))
                // Bounded: an append on a connection that died mid-flight may never return, and every
                // later command of this stream queues behind it.
                let base = version
                let result: AppendResult
                do {
                    result = try await withDeadline(policy.databaseTimeout) { try await store.append([write], idempotency: keys) }
                } catch let error where Self.leavesOutcomeOpen(error) {
                    // Cut off after the append was sent: it may have committed. Answer from the log.
                    switch await outcome(of: events, after: base) {
                    case .committed(let positions):
                        try await refresh()
                        statistics.appended(commands: jobs.count)
                        finish(jobs, decisions, positions: positions)
                        return
                    case .lost:
                        // Another writer took those versions: the same as a lost race.
                        throw EventStoreError.wrongExpectedVersion(streamId: streamId)
                    case .unknown:
                        loaded = false
                        fail(jobs, CommandError.outcomeUnknown)
                        return
                    }
                }
                // The actor is re-entrant: `current()` may have refreshed during the append and already
                // read these very events from the log; counting them twice would open a version gap.
                if version == base {
                    state = working
                    version = base + events.count
                    if let onCommitted {
                        let decided = decisions.flatMap { decision -> [D.Event] in
                            if case .recorded(let events, _, _) = decision { return events }
                            return []
                        }
                        onCommitted(
                            streamId,
                            zip(decided, result.positions).enumerated().map {
                                CommittedEvent(event: $1.0, version: base + $0 + 1, position: $1.1)
                            })
                    }
                }
                lastPosition = result.positions.last ?? lastPosition
                statistics.appended(commands: jobs.count)
                finish(jobs, decisions, positions: result.positions)
                return
            } catch EventStoreError.wrongExpectedVersion {
                statistics.retried()
                attempt += 1
                guard attempt < policy.maxAttempts else {
                    fail(jobs, CommandError.overloaded(retryAfterSeconds: 1))
                    return
                }
                let ceiling = min(1 << min(attempt, 6), policy.maxJitterMilliseconds)
                try? await Task.sleep(for: .milliseconds(Int.random(in: 0...ceiling)))
                do {
                    try await refresh()
                    readSinceStart = true
                } catch {
                    fail(jobs, error)
                    return
                }
            } catch let exceeded as DeadlineExceeded {
                // A read timed out: forget the cache and let the log decide next time.
                loaded = false
                fail(jobs, EventStoreError.unavailable(exceeded.description))
                return
            } catch EventStoreError.idempotencyKeyTaken where jobs.count > 1 {
                // A concurrent request stored one of these keys: let the others commit without it.
                for job in jobs { await process([job]) }
                return
            } catch {
                fail(jobs, error)
                return
            }
        }
    }

    private enum AppendOutcome {
        case committed(positions: [Int64])
        case lost
        case unknown
    }

    /// Failures after which an append may have committed.
    private static func leavesOutcomeOpen(_ error: any Error) -> Bool {
        switch error {
        case is DeadlineExceeded, is CancellationError, EventStoreError.outcomeUnknown: true
        default: false
        }
    }

    /// Whether `events`, appended after version `base`, are in the log: the stream's next versions carry
    /// them (same types, same correlation ids, in order), another writer's events took those versions, or
    /// nothing is there yet (the append may still be in flight, or the log cannot be read).
    private func outcome(of events: [NewEvent], after base: Int) async -> AppendOutcome {
        let (store, streamId) = (store, streamId)
        guard let found = try? await withDeadline(policy.databaseTimeout / 2, { try await store.readStream(streamId, after: base) }),
            !found.isEmpty
        else { return .unknown }
        guard found.count >= events.count,
            zip(found, events).allSatisfy({ $0.type == $1.type && $0.metadata.correlationId == $1.metadata.correlationId })
        else { return .lost }
        return .committed(positions: found.prefix(events.count).map(\.position))
    }

    private func finish(_ jobs: [Job], _ decisions: [Decision], positions: [Int64]) {
        for (job, decision) in zip(jobs, decisions) {
            switch decision {
            case .recorded(let events, let outcome, let lastIndex):
                job.reply.settle(.success(CommandResult(outcome: outcome, events: events, position: positions[lastIndex])))
            case .noChange(let outcome):
                job.reply.settle(.success(CommandResult(outcome: outcome, events: [], position: lastPosition)))
            case .refused(let refusal):
                job.reply.settle(.failure(refusal))
            }
        }
    }

    private func fail(_ jobs: [Job], _ error: any Error) {
        for job in jobs { job.reply.settle(.failure(error)) }
    }

    /// Brings the cached state up to date by reading only the events after the cached version.
    private func refresh() async throws {
        let (store, streamId, known) = (store, streamId, version)
        let newer = try await withDeadline(policy.databaseTimeout) { try await store.readStream(streamId, after: known) }
        // Another refresh may have run while this one read: apply each version once.
        var committed: [CommittedEvent<D.Event>] = []
        for stored in newer where stored.version > version {
            if let event = try D.Event.decode(type: stored.type, data: stored.data) {
                D.evolve(&state, event)
                committed.append(CommittedEvent(event: event, version: stored.version, position: stored.position))
            }
            version = stored.version
            lastPosition = stored.position
        }
        loaded = true
        if let onCommitted, !committed.isEmpty { onCommitted(streamId, committed) }
    }
}
