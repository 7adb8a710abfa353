import Commands
import Foundation

/// Owns the cached state of one stream and serialises the commands on it (group commit).
actor StreamWorker<D: Decider, Store: EventStore> {
    private struct Job {
        var command: D.Command
        var metadata: EventMetadata
        var idempotency: IdempotencyRequest<D>?
        var reply: FirstOutcome<CommandResult<D>>
    }

    private enum Decision {
        case recorded(events: [D.Event], outcome: D.Outcome, lastIndex: Int)
        case noChange(outcome: D.Outcome)
        case refused(DomainError)
    }

    let streamId: String
    let store: Store
    let policy: RetryPolicy
    let statistics: CommandStatistics
    let clock: @Sendable () -> Date

    private var state = D.initialState
    private var version = 0
    private var lastPosition: Int64 = 0
    private var loaded = false
    private var pending: [Job] = []
    private var draining = false

    init(streamId: String, store: Store, policy: RetryPolicy, statistics: CommandStatistics,
         clock: @escaping @Sendable () -> Date) {
        self.streamId = streamId
        self.store = store
        self.policy = policy
        self.statistics = statistics
        self.clock = clock
    }

    func submit(_ command: D.Command, metadata: EventMetadata, idempotency: IdempotencyRequest<D>?) async throws -> CommandResult<D> {
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

    func current() async throws -> (state: D.State, version: Int) {
        try await refresh()
        return (state, version)
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

                let keys = zip(jobs, decisions).compactMap { job, decision -> IdempotencyWrite? in
                    guard let request = job.idempotency, case .recorded(_, let outcome, let lastIndex) = decision else { return nil }
                    return IdempotencyWrite(key: request.key, lastEventIndex: lastIndex) { try request.render(outcome, $0) }
                }
                let (store, write) = (store, StreamWrite(streamId: streamId, expected: .exact(version), events: events))
                // Bounded: an append on a connection that died mid-flight may never return, and every
                // later command of this stream queues behind it.
                let base = version
                let result = try await withDeadline(policy.databaseTimeout) { try await store.append([write], idempotency: keys) }
                // The actor is re-entrant: `current()` may have refreshed during the append and already
                // read these very events from the log; counting them twice would open a version gap.
                if version == base {
                    state = working
                    version = base + events.count
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
                // The append may or may not have committed: forget the cache and let the log decide.
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
        for stored in newer where stored.version > version {
            if let event = try D.Event.decode(type: stored.type, data: stored.data) {
                D.evolve(&state, event)
            }
            version = stored.version
            lastPosition = stored.position
        }
        loaded = true
    }
}
