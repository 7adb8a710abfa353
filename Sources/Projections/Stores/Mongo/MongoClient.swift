internal import CMongoC

/// The libmongoc calls the document store makes, on one pooled client inside one thread-pool job.
/// Every handle (collection, database, cursor, bulk, reply) is released by a `defer` next to its creation.
struct MongoClient {
    let client: OpaquePointer
    let database: String

    private func withCollection<T>(_ name: String, _ body: (OpaquePointer) throws(MongoError) -> T) throws(MongoError) -> T {
        let collection = mongoc_client_get_collection(client, database, name)!
        defer { mongoc_collection_destroy(collection) }
        return try body(collection)
    }

    private func withDatabase<T>(_ body: (OpaquePointer) throws(MongoError) -> T) throws(MongoError) -> T {
        let handle = mongoc_client_get_database(client, database)!
        defer { mongoc_database_destroy(handle) }
        return try body(handle)
    }

    /// Runs `body` with storage for a reply that libmongoc initialises itself (`bson_init`), then frees
    /// what the reply grew. A `bson_new()` document would leak here: `bson_init` overwrites it as static.
    private func withReply<T>(_ body: (OpaquePointer) throws(MongoError) -> T) throws(MongoError) -> T {
        let reply = BSONReader.allocateDocument()
        defer { BSONReader.deallocate(reply) }
        // Every call passed this storage initialises it, even when it fails.
        defer { bson_destroy(reply) }
        return try body(reply)
    }

    /// `find`: each matching document, converted by `transform` while the cursor still owns it.
    func find<T>(
        _ collection: String, filter: BSONFields, options: BSONFields = [:],
        _ transform: (OpaquePointer) throws(MongoError) -> T
    ) throws(MongoError) -> [T] {
        let filterDocument = try BSONDocument(filter)
        let optionsDocument = try BSONDocument(options)
        return try withCollection(collection) { handle throws(MongoError) in
            let cursor = mongoc_collection_find_with_opts(handle, filterDocument.pointer, optionsDocument.pointer, nil)!
            defer { mongoc_cursor_destroy(cursor) }
            var results: [T] = []
            var current: OpaquePointer?
            while mongoc_cursor_next(cursor, &current), let document = current {
                results.append(try transform(document))
            }
            var error = bson_error_t()
            if mongoc_cursor_error(cursor, &error) { throw MongoError(error) }
            return results
        }
    }

    /// Replace-or-insert writes in one unordered bulk (one `update` command per batch libmongoc forms).
    /// A duplicate-key refusal means the upsert's insert collided with a stored document: either the guard
    /// did not match because that document is as new or newer, or another writer inserted it between our
    /// guard and our insert (a deposed leader's abandoned step and the new leader), and it may be older.
    /// Those writes are sent once more: the document now exists, so the guard alone decides, and a second
    /// refusal means it is as new or newer. Returns how many writes were skipped that way.
    @discardableResult
    func upsert(_ collection: String, _ writes: [(filter: BSONFields, replacement: BSONDocument)]) throws(MongoError) -> Int {
        let collided = try bulkUpsert(collection, writes)
        guard !collided.isEmpty else { return 0 }
        return try bulkUpsert(collection, collided.map { writes[$0] }).count
    }

    /// The indexes of `writes` refused with a duplicate key.
    private func bulkUpsert(_ collection: String, _ writes: [(filter: BSONFields, replacement: BSONDocument)]) throws(MongoError) -> [Int] {
        guard !writes.isEmpty else { return [] }
        let bulkOptions = try BSONDocument(["ordered": .bool(false)])
        let upsertOptions = try BSONDocument(["upsert": .bool(true)])
        return try withCollection(collection) { handle throws(MongoError) in
            let bulk = mongoc_collection_create_bulk_operation_with_opts(handle, bulkOptions.pointer)!
            defer { mongoc_bulk_operation_destroy(bulk) }
            for write in writes {
                let filter = try BSONDocument(write.filter)
                var error = bson_error_t()
                guard
                    mongoc_bulk_operation_replace_one_with_opts(
                        bulk, filter.pointer, write.replacement.pointer,
                        upsertOptions.pointer, &error)
                else { throw MongoError(error) }
            }
            return try withReply { reply throws(MongoError) in
                var error = bson_error_t()
                if mongoc_bulk_operation_execute(bulk, reply, &error) != 0 { return [] }
                return try Self.duplicatesOnly(reply, otherwise: MongoError(error))
            }
        }
    }

    /// The indexes of the writes a failed bulk reply refused when every refusal is a duplicate key; else
    /// throws the first other write error (with the server's code and message), or `failure`.
    static func duplicatesOnly(_ reply: OpaquePointer, otherwise failure: MongoError) throws(MongoError) -> [Int] {
        let fields = try BSONReader.fields(of: reply)
        guard case .array(let errors)? = fields.pairs.first(where: { $0.key == "writeErrors" })?.value, !errors.isEmpty,
            fields.pairs.first(where: { $0.key == "writeConcernErrors" }).map({ $0.value == .array([]) }) ?? true
        else { throw failure }
        var indexes: [Int] = []
        for case .document(let writeError) in errors {
            let code = BSONReader.int64(writeError.pairs.first { $0.key == "code" }?.value) ?? 0
            if code != MongoError.duplicateKey {
                guard case .string(let message)? = writeError.pairs.first(where: { $0.key == "errmsg" })?.value else { throw failure }
                throw .server(code: Int(code), message: message)
            }
            guard let index = BSONReader.int64(writeError.pairs.first { $0.key == "index" }?.value) else { throw failure }
            indexes.append(Int(index))
        }
        return indexes
    }

    /// One replace-or-insert; returns false when a duplicate key said the stored document is as new or
    /// newer (sent twice on a first duplicate key, as `upsert` explains).
    @discardableResult
    func upsertOne(_ collection: String, filter: BSONFields, replacement: BSONFields) throws(MongoError) -> Bool {
        if try upsertOnce(collection, filter: filter, replacement: replacement) { return true }
        return try upsertOnce(collection, filter: filter, replacement: replacement)
    }

    private func upsertOnce(_ collection: String, filter: BSONFields, replacement: BSONFields) throws(MongoError) -> Bool {
        let filterDocument = try BSONDocument(filter)
        let replacementDocument = try BSONDocument(replacement)
        let options = try BSONDocument(["upsert": .bool(true)])
        return try withCollection(collection) { handle throws(MongoError) in
            var error = bson_error_t()
            if mongoc_collection_replace_one(handle, filterDocument.pointer, replacementDocument.pointer, options.pointer, nil, &error) {
                return true
            }
            let failure = MongoError(error)
            if failure.isDuplicateKey { return false }
            throw failure
        }
    }

    /// `delete` of every matching document.
    func deleteMany(_ collection: String, filter: BSONFields) throws(MongoError) {
        let filterDocument = try BSONDocument(filter)
        try withCollection(collection) { handle throws(MongoError) in
            var error = bson_error_t()
            guard mongoc_collection_delete_many(handle, filterDocument.pointer, nil, nil, &error) else { throw MongoError(error) }
        }
    }

    /// `drop`; a collection that does not exist is already dropped.
    func drop(_ collection: String) throws(MongoError) {
        try withCollection(collection) { handle throws(MongoError) in
            var error = bson_error_t()
            if mongoc_collection_drop_with_opts(handle, nil, &error) { return }
            let failure = MongoError(error)
            // 26 NamespaceNotFound ("ns not found"), what servers before 7.0 answer for a missing collection.
            if case .server(26, _) = failure { return }
            throw failure
        }
    }

    /// `listCollections` (names only).
    func collectionNames() throws(MongoError) -> [String] {
        try withDatabase { handle throws(MongoError) in
            var error = bson_error_t()
            guard let names = mongoc_database_get_collection_names_with_opts(handle, nil, &error) else { throw MongoError(error) }
            defer { bson_strfreev(names) }
            var result: [String] = []
            var index = 0
            while let name = names[index] {
                result.append(String(cString: name))
                index += 1
            }
            return result
        }
    }

    /// A database command that writes (`createIndexes`); returns the server's reply fields.
    @discardableResult
    func writeCommand(_ command: BSONFields) throws(MongoError) -> BSONFields {
        let commandDocument = try BSONDocument(command)
        return try withDatabase { handle throws(MongoError) in
            try withReply { reply throws(MongoError) in
                var error = bson_error_t()
                guard mongoc_database_write_command_with_opts(handle, commandDocument.pointer, nil, reply, &error) else {
                    throw MongoError(error)
                }
                return try BSONReader.fields(of: reply)
            }
        }
    }
}
