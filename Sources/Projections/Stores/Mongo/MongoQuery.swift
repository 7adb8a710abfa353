/// Translates a `DocumentQuery` into a MongoDB `find` filter and options, with the same order and
/// keyset semantics as the PostgreSQL store: sort by one body field then `_id`, and continue strictly
/// after the cursor's `(sortValue, id)`.
///
/// PostgreSQL sorts a missing field as the empty string (`coalesce(…, '')`), and a cursor taken on such
/// a document carries `""`. MongoDB sorts a missing field before every string, which is the same place
/// as long as a field is never both missing and `""` in one collection (true of `startsAt` and
/// `createdAt`, the fields the API sorts by): so `""` in a cursor stands for "missing or empty" here.
struct MongoQuery: Equatable {
    var filter: BSONFields
    var options: BSONFields

    init(_ query: DocumentQuery) throws(MongoError) {
        filter = BSONFields()
        for (field, value) in query.filters.sorted(by: { $0.key < $1.key }) {
            filter.append("body.\(try Self.field(field))", .string(value))
        }
        let direction: Int32 = query.descending ? -1 : 1
        var sortKey: String?
        if let sortField = query.sortField { sortKey = "body.\(try Self.field(sortField))" }
        if let after = query.after {
            filter.append(contentsOf: Self.keyset(after: after, sortKey: sortKey, descending: query.descending))
        }
        var sort = BSONFields()
        if let sortKey { sort.append(sortKey, .int32(direction)) }
        sort.append("_id", .int32(direction))
        options = ["sort": .document(sort), "limit": .int64(Int64(max(0, query.limit)))]
    }

    /// Conditions selecting what comes strictly after `(sortValue, id)` in the sort order.
    private static func keyset(after: (sortValue: String, id: String), sortKey: String?, descending: Bool) -> BSONFields {
        let beyond = descending ? "$lt" : "$gt"
        let idBeyond: BSONValue = [beyond: .string(after.id)]
        guard let sortKey else { return ["_id": idBeyond] }
        let missingOrEmpty: BSONValue = ["$in": [.null, ""]]
        if after.sortValue.isEmpty {
            // Ascending: every real string is after ""; descending: nothing but other missing/empty ones.
            let tie: BSONFields = [sortKey: missingOrEmpty, "_id": idBeyond]
            return descending ? tie : ["$or": [[sortKey: ["$gt": ""]], .document(tie)]]
        }
        var branches: [BSONValue] = [
            [sortKey: [beyond: .string(after.sortValue)]],
            [sortKey: .string(after.sortValue), "_id": idBeyond],
        ]
        // `$lt` compares strings with strings only; descending, missing values come after all strings.
        if descending { branches.append([sortKey: .null]) }
        return ["$or": .array(branches)]
    }

    /// Field names become BSON paths, so only plain identifiers pass (no dots, no `$`).
    static func field(_ name: String) throws(MongoError) -> String {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalidField(name)
        }
        return name
    }
}

extension BSONFields {
    mutating func append(contentsOf other: BSONFields) {
        pairs += other.pairs
    }
}
