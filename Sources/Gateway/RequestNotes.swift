import Synchronization

/// What a handler learned that the request's log line should carry (ids created or resolved on the
/// way). A reference, so the log middleware outside the handler sees what the handler noted.
public final class RequestNotes: Sendable {
    struct Values {
        var bookingId: String?
        var sessionId: String?
        var userId: String?
    }

    private let values = Mutex(Values())

    /// Nothing noted yet.
    public init() {}

    /// Records ids; nil leaves a value as it was.
    func note(bookingId: String? = nil, sessionId: String? = nil, userId: String? = nil) {
        values.withLock { values in
            if let bookingId { values.bookingId = bookingId }
            if let sessionId { values.sessionId = sessionId }
            if let userId { values.userId = userId }
        }
    }

    var current: Values { values.withLock { $0 } }
}
