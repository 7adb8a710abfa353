import Hummingbird
import NIOCore

/// Request context carrying the request id used as the events' correlation id.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `X-Request-Id` of the request (taken from the client when sane, otherwise generated).
    public var requestId: String = ""
    /// Ids the handler resolved, for the request log line.
    public let notes = RequestNotes()
    /// The connection's peer (nil in the in-process test client); the rate limit's key for anonymous requests.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
