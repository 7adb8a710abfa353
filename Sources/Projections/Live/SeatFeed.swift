import Commands
import EventStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One server-sent event of a live seat feed.
public struct FeedMessage: Sendable, Equatable {
    /// `map` (the whole seat map, compact form), `seats` (what one event changed) or `heartbeat`
    /// (nothing: sent as an SSE comment).
    public var event: String
    /// The log position of the last event the message reflects.
    public var id: Int64
    public var data: Data
}

/// A subscriber past the process's limit (`SSE_MAX_SUBSCRIBERS`).
public struct SeatFeedFull: Error {}

/// Live seat maps pushed to subscribers: one follower of the log per process (gap-safe, in commit order,
/// the projectors' read) feeds every session someone watches; subscribers only receive.
///
/// A session is watched while it has subscribers: its seat map is kept in memory (`WatchedMap`, moved by
/// the seat map's one transition) with the last `replayWindow` messages, so a client that reconnects with
/// `Last-Event-ID` gets exactly the changes after it, or the whole map when that position is older.
/// Each subscriber has a buffer of `buffer` messages; one that falls that far behind is dropped (its
/// stream ends, and its client reconnects and catches up), never kept at the cost of memory.
public final class SeatFeed: Service, Sendable {
    public struct Limits: Sendable {
        public var maxSubscribers: Int
        public var buffer = 256
        public var replayWindow = 512
        /// How often the follower reads the log while something is watched.
        public var poll: Duration = .milliseconds(50)
        /// Every subscriber gets a heartbeat this often, so that proxies keep idle streams open.
        public var heartbeat: Duration = .seconds(15)

        public init(maxSubscribers: Int = 10_000) { self.maxSubscribers = maxSubscribers }
    }

    /// A subscriber's messages: the first is the map (or the changes a reconnect missed), then changes.
    public struct Subscription: Sendable {
        public let messages: AsyncStream<FeedMessage>
    }

    /// Figures for `/metrics`.
    public struct Figures: Sendable {
        public var subscribers: Int
        public var watchedSessions: Int
        public var messages: Int
        public var dropped: Int
    }

    private struct Watched {
        var map: WatchedMap
        var subscribers: [UInt64: AsyncStream<FeedMessage>.Continuation] = [:]
        var recent: [FeedMessage] = []
        /// A client whose last event is at or after this position can be caught up from `recent`.
        var floor: Int64
    }

    private struct State {
        var watched: [String: Watched] = [:]
        var subscribers = 0
        var nextId: UInt64 = 0
        /// Where the follower reads from; nil while nothing is watched.
        var checkpoint: Checkpoint?
        /// Subscriptions between taking the checkpoint and being watched: the follower keeps going for them.
        var joining = 0
        var messages = 0
        var dropped = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let store: any EventStore
    private let sessions: CommandHandler<SessionDecider>
    private let limits: Limits
    private let logger: Logger
    private static let types = SessionEvent.types.map(\.rawValue)

    public init(store: any EventStore, sessions: CommandHandler<SessionDecider>, limits: Limits, logger: Logger) {
        self.store = store
        self.sessions = sessions
        self.limits = limits
        self.logger = logger
    }

    public var figures: Figures {
        state.withLock {
            Figures(subscribers: $0.subscribers, watchedSessions: $0.watched.count, messages: $0.messages, dropped: $0.dropped)
        }
    }

    /// Subscribes to a session's seat map. Throws `DomainError.notFound` for an unknown session and
    /// `SeatFeedFull` past the limit.
    public func subscribe(_ sessionId: String, lastEventId: Int64?) async throws -> Subscription {
        try state.withLock { state in
            guard !state.closed, state.subscribers < limits.maxSubscribers else { throw SeatFeedFull() }
            state.subscribers += 1
            state.joining += 1
        }
        var joined = false
        defer {
            state.withLock { state in
                state.joining -= 1
                if !joined { state.subscribers -= 1 }
            }
        }
        // The follower's checkpoint is taken before the session is read, so every event after what the
        // read shows reaches the follower.
        if state.withLock({ $0.checkpoint == nil }) {
            let head = try await store.latestCheckpoint()
            state.withLock { if $0.checkpoint == nil { $0.checkpoint = head } }
        }
        let latest = try await sessions.latest(of: Streams.session(sessionId))
        guard let fresh = LiveSession(latest.state, version: latest.version, position: latest.position) else {
            throw DomainError.notFound("session")
        }
        let (stream, continuation) = AsyncStream<FeedMessage>.makeStream(bufferingPolicy: .bufferingOldest(limits.buffer))
        let id: UInt64 = try state.withLock { state in
            state.nextId += 1
            let id = state.nextId
            var watched = state.watched[sessionId] ?? Watched(map: WatchedMap(fresh), floor: fresh.position)
            let first: [FeedMessage]
            if let lastEventId, lastEventId >= watched.floor, lastEventId <= watched.map.session.position {
                first = watched.recent.filter { $0.id > lastEventId }
            } else {
                let session = watched.map.session
                first = [FeedMessage(event: "map", id: session.position, data: try session.render(.compact))]
            }
            for message in first { continuation.yield(message) }
            watched.subscribers[id] = continuation
            state.watched[sessionId] = watched
            joined = true
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.leave(sessionId, id) }
        return Subscription(messages: stream)
    }

    private func leave(_ sessionId: String, _ id: UInt64) {
        state.withLock { state in
            guard state.watched[sessionId]?.subscribers.removeValue(forKey: id) != nil else { return }
            state.subscribers -= 1
            if state.watched[sessionId]?.subscribers.isEmpty == true { state.watched[sessionId] = nil }
        }
    }

    /// Follows the log while anything is watched, until graceful shutdown; then ends every stream, so
    /// the HTTP server can finish its responses and stop.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var beat = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    if ContinuousClock.now - beat >= self.limits.heartbeat {
                        beat = .now
                        self.send(FeedMessage(event: "heartbeat", id: 0, data: Data()))
                    }
                    if try await !self.step() { try await Task.sleep(for: self.limits.poll) }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("seat feed: reading the log failed; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        close()
    }

    /// Ends every subscription and refuses new ones.
    public func close() {
        let streams = state.withLock { state in
            state.closed = true
            defer {
                state.watched = [:]
                state.subscribers = 0
            }
            return state.watched.values.flatMap { $0.subscribers.values }
        }
        for stream in streams { stream.finish() }
    }

    /// Reads and delivers one batch; false when there was nothing to read.
    func step() async throws -> Bool {
        let from: Checkpoint? = state.withLock { state in
            if state.watched.isEmpty && state.joining == 0 { state.checkpoint = nil }
            return state.checkpoint
        }
        guard let from else { return false }
        let batch = try await store.readAll(after: from, limit: 500, types: Self.types)
        guard let last = batch.last else { return false }
        for event in batch {
            let sessionId = Streams.sessionId(ofStream: event.streamId)
            guard state.withLock({ $0.watched[sessionId] != nil }),
                let decoded = try SessionEvent.decode(type: event.type, data: event.data)
            else { continue }
            deliver(decoded, of: sessionId, version: event.version, position: event.position)
        }
        state.withLock { state in
            if state.checkpoint != nil { state.checkpoint = last.checkpoint }
        }
        return true
    }

    private func deliver(_ event: SessionEvent, of sessionId: String, version: Int, position: Int64) {
        let ended: [AsyncStream<FeedMessage>.Continuation] = state.withLock { state in
            guard var watched = state.watched[sessionId], version > watched.map.session.version else { return [] }
            guard let change = watched.map.apply(event, version: version, position: position),
                let data = try? EventJSON.encoder.encode(change)
            else {
                // Not the next version: cannot happen in commit order from a checkpoint taken before the
                // session was read, but if it did, clients reconnect and start again from a fresh map.
                state.subscribers -= watched.subscribers.count
                state.watched[sessionId] = nil
                return Array(watched.subscribers.values)
            }
            let message = FeedMessage(event: "seats", id: position, data: data)
            watched.recent.append(message)
            if watched.recent.count > limits.replayWindow {
                watched.floor = watched.recent.removeFirst().id
            }
            state.watched[sessionId] = watched
            return Self.fanOut(message, to: sessionId, &state)
        }
        for stream in ended { stream.finish() }
    }

    /// Sends `message` to every subscriber of every watched session.
    private func send(_ message: FeedMessage) {
        let ended = state.withLock { state in
            state.watched.keys.flatMap { Self.fanOut(message, to: $0, &state) }
        }
        for stream in ended { stream.finish() }
    }

    /// Yields `message` to a session's subscribers; answers those too slow to keep it (dropped), whose
    /// streams the caller ends outside the lock.
    private static func fanOut(_ message: FeedMessage, to sessionId: String, _ state: inout State) -> [AsyncStream<FeedMessage>.Continuation] {
        guard var watched = state.watched[sessionId] else { return [] }
        var slow: [AsyncStream<FeedMessage>.Continuation] = []
        for (id, subscriber) in watched.subscribers {
            switch subscriber.yield(message) {
            case .enqueued:
                state.messages += 1
            case .dropped:
                watched.subscribers[id] = nil
                state.subscribers -= 1
                state.dropped += 1
                slow.append(subscriber)
            case .terminated:
                watched.subscribers[id] = nil
                state.subscribers -= 1
            @unknown default:
                break
            }
        }
        state.watched[sessionId] = watched.subscribers.isEmpty ? nil : watched
        return slow
    }
}
