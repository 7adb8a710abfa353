import Synchronization

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
    let timer = Task {
        try await Task.sleep(for: limit)
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

/// The first of several outcomes, delivered once to a continuation that may attach before or after it.
final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var continuation: CheckedContinuation<T, any Error>?
        var delivered = false
    }

    private let state = Mutex(State())

    func settle(_ result: Result<T, any Error>) {
        let ready = state.withLock { state -> (CheckedContinuation<T, any Error>, Result<T, any Error>)? in
            guard state.result == nil else { return nil }
            state.result = result
            guard let continuation = state.continuation, !state.delivered else { return nil }
            state.delivered = true
            return (continuation, result)
        }
        if let (continuation, result) = ready { continuation.resume(with: result) }
    }

    func attach(_ continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            state.continuation = continuation
            guard let result = state.result, !state.delivered else { return nil }
            state.delivered = true
            return result
        }
        if let ready { continuation.resume(with: ready) }
    }
}
