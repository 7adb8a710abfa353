import Synchronization

/// A continuation that is resumed exactly once, by whichever comes first: the worker's answer or
/// the caller's cancellation.
final class Reply<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case attached(CheckedContinuation<Value, any Error>)
        case finished
    }

    private let state = Mutex(State.waiting)

    /// Attaches the continuation; false (after resuming it with cancellation) if the caller already left.
    func attach(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        let attached = state.withLock { state -> Bool in
            guard case .waiting = state else { return false }
            state = .attached(continuation)
            return true
        }
        if !attached { continuation.resume(throwing: CancellationError()) }
        return attached
    }

    /// Whether an answer (or a cancellation) was already delivered.
    var isFinished: Bool {
        state.withLock { if case .finished = $0 { true } else { false } }
    }

    func resume(returning value: Value) { finish(.success(value)) }

    func resume(throwing error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            defer { state = .finished }
            if case .attached(let continuation) = state { return continuation }
            return nil
        }
        continuation?.resume(with: result)
    }
}
