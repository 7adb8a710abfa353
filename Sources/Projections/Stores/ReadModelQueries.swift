import Commands
import EventStore
import Foundation

/// A page of a collection: items in order and the cursor of the next page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

/// A malformed pagination cursor.
public struct InvalidCursor: Error {}

/// Typed reads of the read models, for the query routes.
public struct ReadModelQueries: Sendable {
    public let documents: any DocumentStore

    public init(documents: any DocumentStore) {
        self.documents = documents
    }

    /// One session's document (the gateway answers it from its live sessions; tools read it here).
    public func session(_ id: String) async throws -> SessionDocument? {
        try await decode(documents.get(SessionProjection.sessions, id: id))
    }

    /// A session's seat map from the durable read models: its layout, its tally and its active bookings
    /// (gateways answer it from their live sessions; this is for tools and audits).
    public func seatMap(_ id: String) async throws -> SeatMap? {
        guard let session = try await session(id),
            let tally: SeatTally = try await decode(documents.get(SessionProjection.seatMaps, id: id))
        else { return nil }
        var active: [BookingDocument] = []
        for status in [BookingStatus.held, .confirmed] {
            var cursor: String?
            repeat {
                let page = try await bookings(filters: ["sessionId": id, "status": status.rawValue], limit: 1_000, cursor: cursor)
                active += page.items
                cursor = page.nextCursor
            } while cursor != nil
        }
        return SeatMap.assemble(session.scheduled, tally: tally, activeBookings: active)
    }

    public func sessions(limit: Int, cursor: String?) async throws -> Page<SessionDocument> {
        try await page(DocumentQuery(collection: SessionProjection.sessions, sortField: "startsAt", limit: limit), cursor: cursor) {
            $0.startsAt.map(ISO8601.string(from:)) ?? ""
        }
    }

    public func hall(_ id: String) async throws -> HallDocument? {
        try await decode(documents.get(HallProjection.halls, id: id))
    }

    public func halls(limit: Int, cursor: String?) async throws -> Page<HallDocument> {
        try await page(DocumentQuery(collection: HallProjection.halls, limit: limit), cursor: cursor) { $0.id }
    }

    public func booking(_ id: String) async throws -> BookingDocument? {
        try await decode(documents.get(SessionProjection.bookings, id: id))
    }

    /// Bookings newest first, filtered on `status`, `sessionId`, `userId`.
    public func bookings(filters: [String: String], limit: Int, cursor: String?) async throws -> Page<BookingDocument> {
        try await page(
            DocumentQuery(
                collection: SessionProjection.bookings, filters: filters, sortField: "createdAt",
                descending: true, limit: limit), cursor: cursor
        ) { ISO8601.string(from: $0.createdAt) }
    }

    /// Holds whose deadline is at or before `now`, earliest first.
    public func dueHolds(at now: Date, limit: Int) async throws -> [BookingDocument] {
        let query = DocumentQuery(
            collection: SessionProjection.bookings, filters: ["status": BookingStatus.held.rawValue],
            sortField: "holdExpiresAt", limit: limit)
        return try await documents.find(query).lazy
            .map { try EventJSON.decoder.decode(BookingDocument.self, from: $0.body) }
            .prefix { ($0.holdExpiresAt ?? .distantFuture) <= now }
    }

    public func user(_ id: String) async throws -> UserDocument? {
        try await decode(documents.get(UserProjection.users, id: id))
    }

    /// Booking KPIs per session, by session id.
    public func sessionKPIs(limit: Int, cursor: String?) async throws -> Page<SessionKPI> {
        try await page(DocumentQuery(collection: KPIProjection.sessions, limit: limit), cursor: cursor) { $0.id }
    }

    /// What a projection's queries reflect.
    public func position(of projection: String) async throws -> ProjectionPosition {
        try await documents.appliedPosition(projection: projection)
    }

    private func decode<T: Decodable>(_ document: StoredDocument?) throws -> T? {
        try document.map { try EventJSON.decoder.decode(T.self, from: $0.body) }
    }

    private func page<T: Decodable & Sendable & Identifiable>(
        _ query: DocumentQuery, cursor: String?, sortValue: (T) -> String
    ) async throws -> Page<T> where T.ID == String {
        var query = query
        query.after = try cursor.map(Self.decodeCursor)
        let wanted = query.limit
        query.limit = wanted + 1
        let found: [T] = try await documents.find(query).map { try EventJSON.decoder.decode(T.self, from: $0.body) }
        let items = Array(found.prefix(wanted))
        let next = found.count > wanted ? items.last.map { Self.encodeCursor(sortValue($0), $0.id) } : nil
        return Page(items: items, nextCursor: next)
    }

    static func encodeCursor(_ sortValue: String, _ id: String) -> String {
        Data("\(sortValue)\n\(id)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ cursor: String) throws -> (sortValue: String, id: String) {
        guard cursor.count <= 512, let data = Data(base64Encoded: cursor),
            let text = String(data: data, encoding: .utf8)
        else { throw InvalidCursor() }
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw InvalidCursor() }
        return (String(parts[0]), String(parts[1]))
    }
}

extension SessionDocument: Identifiable {}
extension HallDocument: Identifiable {}
extension BookingDocument: Identifiable {}
extension SessionKPI: Identifiable {
    public var id: String { sessionId }
}
