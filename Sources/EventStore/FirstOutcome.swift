import Synchronization

/// The first of several outcomes (an answer, a time-out, a cancellation), delivered exactly once to a
/// continuation that may attach before or after it.
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

    /// Attaches the waiting continuation; false (having resumed it) when an outcome was already settled.
    @discardableResult
    func attach(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let ready = state.withLock { state -> Result<T, any Error>? in
            state.continuation = continuation
            guard let result = state.result, !state.delivered else { return nil }
            state.delivered = true
            return result
        }
        if let ready { continuation.resume(with: ready) }
        return ready == nil
    }

    /// Whether an outcome was settled (delivered or waiting for its continuation).
    var isSettled: Bool { state.withLock { $0.result != nil } }
}
