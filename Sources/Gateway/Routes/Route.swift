import HTTPTypes
import Hummingbird

/// A route as data, so the same list builds the router and answers "which methods does this path have".
public struct Route: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    var handler: @Sendable (Request, AppRequestContext) async throws -> Response

    init(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
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

    /// Methods registered for a concrete path. Like the router, a literal segment wins over a `:name`
    /// capture (`/book/confirm` is not `/book/:id`), so `Allow` names only methods that really answer.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        var matching = patterns.filter { $0.segments.count == segments.count }
        for (index, segment) in segments.enumerated() {
            let literal = matching.filter { $0.segments[index] == segment }
            matching = literal.isEmpty ? matching.filter { $0.segments[index].hasPrefix(":") } : literal
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
