import Hummingbird

/// Request context carrying the request id used as the events' correlation id.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-Id` of the request (taken from the client when sane, otherwise generated).
    public var requestId: String = ""
    /// Ids the handler resolved, for the request log line.
    public let notes = RequestNotes()

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }
}
