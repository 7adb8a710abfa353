import Hummingbird
import Projections

/// `limit` and `cursor` of a collection route, read and checked the same way everywhere.
enum Paging {
    static func parse(_ request: Request) throws -> (limit: Int, cursor: String?) {
        let parameters = request.uri.queryParameters
        let limit =
            try parameters["limit"].map { raw -> Int in
                guard let value = Int(raw), (1...1000).contains(value) else { throw APIError.invalidRequest("limit must be 1 to 1000") }
                return value
            } ?? 100
        return (limit, parameters["cursor"].map(String.init))
    }

    /// A page, with a cursor this API did not hand out answered as a bad request.
    static func fetch<T>(_ fetch: () async throws -> Page<T>) async throws -> Page<T> {
        do {
            return try await fetch()
        } catch is InvalidCursor {
            throw APIError.invalidRequest("cursor is not one this API returned")
        }
    }
}
