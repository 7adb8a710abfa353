/// Where the MongoDB store keeps things.
///
/// A read-model document is `{_id: <document id>, version: <stream version last applied>, body: {…}}`.
/// The body is nested rather than merged into the top level because bodies have fields of their own
/// called `version` (a session's, a seat map's) that must not collide with the guard; queries filter
/// and sort on `body.<field>`.
enum MongoLayout {
    /// Active generation per projection: `{_id: <projection>, generation}`.
    static let generations = "projection_generations"
    /// Checkpoints: `{_id: "<projection>.g<generation>", projection, generation, transactionId, position, owner, updatedAt}`.
    static let checkpoints = "projection_checkpoints"

    /// The physical collection of a logical collection in one generation: `<projection>.<collection>.g<generation>`.
    /// A rebuild writes fresh collections under generation n+1, and `activate` drops the others.
    static func collection(_ collection: Collection, generation: Int) -> String {
        "\(collection.projection).\(collection.name).g\(generation)"
    }

    /// The checkpoint document id of a projection's generation.
    static func checkpointId(projection: String, generation: Int) -> String {
        "\(projection).g\(generation)"
    }

    /// Reads a physical name back: (projection, collection, generation), nil for anything else.
    static func parse(_ physical: String) -> (projection: String, collection: String, generation: Int)? {
        let parts = physical.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].first == "g", let generation = Int(parts[2].dropFirst()), !parts[0].isEmpty, !parts[1].isEmpty
        else { return nil }
        return (String(parts[0]), String(parts[1]), generation)
    }

    /// A commit's writes grouped by collection, in the order they are written: per-booking collections
    /// last, the rest by name; documents by id (so the commands sent are deterministic).
    ///
    /// Without a multi-document transaction a crash can leave a commit half written. The session and KPI
    /// projections guard each document by its own version, so redelivery completes it, provided no
    /// booking document is ever ahead of its session's documents: a booking's stored status is the
    /// "before" from which the session's counts are moved. Writing seat maps, sessions and session KPIs
    /// before bookings and booking KPIs keeps it so.
    static func commitOrder(_ writes: [DocumentWrite]) -> [(collection: Collection, writes: [DocumentWrite])] {
        func rank(_ collection: Collection) -> Int { perBooking.contains(collection) ? 1 : 0 }
        return Dictionary(grouping: writes, by: \.key.collection)
            .map { (collection: $0.key, writes: $0.value.sorted { $0.key.id < $1.key.id }) }
            .sorted { (rank($0.collection), $0.collection.name) < (rank($1.collection), $1.collection.name) }
    }

    /// Collections with one document per booking.
    static let perBooking: Set<Collection> = [SessionProjection.bookings, KPIProjection.bookings]

    /// Secondary indexes per logical collection (name, keys). Bookings are listed newest first, by user,
    /// session or status, and swept for due holds; sessions by start time. `_id` ends each key so the keyset tie-break is covered.
    static func indexes(for collection: Collection) -> [(name: String, keys: BSONFields)] {
        switch collection {
        case SessionProjection.bookings:
            return [
                ("createdAt", ["body.createdAt": .int32(-1), "_id": .int32(-1)]),
                ("userId_createdAt", ["body.userId": .int32(1), "body.createdAt": .int32(-1), "_id": .int32(-1)]),
                ("sessionId_createdAt", ["body.sessionId": .int32(1), "body.createdAt": .int32(-1), "_id": .int32(-1)]),
                ("status_createdAt", ["body.status": .int32(1), "body.createdAt": .int32(-1), "_id": .int32(-1)]),
                // The expiry worker's sweep: held bookings by deadline, several times a second.
                ("status_holdExpiresAt", ["body.status": .int32(1), "body.holdExpiresAt": .int32(1), "_id": .int32(1)]),
            ]
        case SessionProjection.sessions:
            return [("startsAt", ["body.startsAt": .int32(1), "_id": .int32(1)])]
        default:
            return []
        }
    }

    /// The `createIndexes` command for a physical collection, or nil when it needs none.
    static func createIndexes(_ collection: Collection, generation: Int) -> BSONFields? {
        let specs = indexes(for: collection)
        guard !specs.isEmpty else { return nil }
        return [
            "createIndexes": .string(self.collection(collection, generation: generation)),
            "indexes": .array(specs.map { .document(["key": .document($0.keys), "name": .string($0.name)]) }),
        ]
    }
}
