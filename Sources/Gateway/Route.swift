import HTTPTypes
import Hummingbird

/// A route as data, so the same list builds the router and answers "which methods does this path have".
public struct Route: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    var handler: @Sendable (Request, AppRequestContext) async throws -> Response

    init(_ method: HTTPRequest.Method, _ path: String,
         _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response) {
        self.method = method
        self.path = path
        self.handler = handler
    }
}

/// The registered paths, for telling 405 from 404.
struct RouteTable: Sendable {
    private let patterns: [(segments: [Substring], method: HTTPRequest.Method)]

    init(_ routes: [Route]) {
        patterns = routes.map { ($0.path.split(separator: "/"), $0.method) }
    }

    /// Methods registered for a concrete path (`:name` segments match anything).
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = patterns.filter { pattern in
            pattern.segments.count == segments.count
                && zip(pattern.segments, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }
        return Array(Set(matching.map(\.method.rawValue))).sorted()
    }
}

extension AppRequestContext {
    /// A path parameter, bounded so no id is unreasonably long.
    func id(_ name: String) throws -> String {
        let value = try parameters.require(name)
        guard Identifiers.isSane(value) else { throw APIError.notFound(name) }
        return value
    }
}
