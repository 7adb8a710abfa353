import NIOCore
import NIOPosix

/// The time limit of `withDeadline` passed.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var limit: Duration
    public var description: String { "no answer within \(limit)" }
}

/// Runs `body` but answers within `limit` whatever it does: on time-out `DeadlineExceeded` is thrown
/// and `body` is cancelled and left behind. A task group would instead wait for its cancelled child,
/// and a database call on a connection that died mid-flight may never notice cancellation.
public func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = FirstOutcome<T>()
    let work = Task { outcome.settle(await Result { try await body() }) }
    // Every request runs under a deadline: an event-loop timer costs far less than a second, sleeping task.
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(limit)) {
        outcome.settle(.failure(DeadlineExceeded(limit: limit)))
    }
    defer {
        work.cancel()
        timer.cancel()
    }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { outcome.attach($0) }
    } onCancel: {
        outcome.settle(.failure(CancellationError()))
    }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
