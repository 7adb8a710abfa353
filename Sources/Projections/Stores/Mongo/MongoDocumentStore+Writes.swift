import EventStore
import Foundation

extension MongoDocumentStore {
    /// Writes the documents, then the checkpoint.
    ///
    /// A MongoDB standalone has no multi-document transactions, so unlike PostgreSQL the two are not
    /// atomic. The version guards make that safe: if the process dies after the documents and before the
    /// checkpoint, the next leader starts from the old checkpoint and redelivers the same events; the
    /// projection skips each document already at that version, every upsert finds a stored version equal
    /// to its own and changes nothing, and the checkpoint moves. The checkpoint never runs ahead of the
    /// documents, because it is written last. A crash between collections is covered by the write
    /// order (see `MongoLayout.commitOrder`).
    public func commit(_ writes: [DocumentWrite], projection: String, generation: Int, checkpoint: Checkpoint, owner: String) async throws {
        let grouped = MongoLayout.commitOrder(writes)
        try await connection.run { [indexed] client in
            try Self.refuseStale(client, projection: projection, generation: generation, cleanUp: nil)
            for (collection, group) in grouped {
                let physical = MongoLayout.collection(collection, generation: generation)
                if !indexed.contains(physical) {
                    // Before the collection's first document: `find` on it can then always use them.
                    if let command = MongoLayout.createIndexes(collection, generation: generation) { try client.writeCommand(command) }
                    indexed.insert(physical)
                }
                try client.upsert(physical, try group.map(MongoCodec.upsert))
            }
            // A rebuild may have switched while the documents were written. Nothing then reads this
            // generation; drop what this commit may have recreated after `activate` dropped it.
            try Self.refuseStale(client, projection: projection, generation: generation, cleanUp: indexed)
            let write = MongoCodec.checkpoint(
                projection: projection, generation: generation, checkpoint: checkpoint,
                owner: owner, now: Date())
            try client.upsertOne(MongoLayout.checkpoints, filter: write.filter, replacement: write.replacement)
        }
    }

    /// Makes `generation` the one queries read, then drops every other generation of the projection.
    public func activate(projection: String, generation: Int) async throws {
        try await connection.run { [indexed, logger] client in
            try client.upsertOne(
                MongoLayout.generations, filter: ["_id": .string(projection)],
                replacement: ["generation": .int64(Int64(generation)), "updatedAt": .date(Date())])
            for name in try Self.physicalCollections(client, projection: projection) where name.generation != generation {
                try client.drop(name.physical)
                indexed.remove(name.physical)
                logger.debug("dropped a replaced generation", metadata: ["mongodb.collection": "\(name.physical)"])
            }
            try client.deleteMany(
                MongoLayout.checkpoints,
                filter: ["projection": .string(projection), "generation": ["$ne": .int64(Int64(generation))]])
        }
    }

    /// Drops a generation's collections and checkpoint (an abandoned rebuild).
    public func drop(projection: String, generation: Int) async throws {
        try await connection.run { [indexed] client in
            try Self.dropGeneration(client, projection: projection, generation: generation, indexed: indexed)
        }
    }

    /// Throws `StaleGeneration` when a newer generation is active; with `cleanUp`, first drops this one.
    private static func refuseStale(_ client: MongoClient, projection: String, generation: Int, cleanUp: IndexedCollections?) throws {
        let active = try activeGeneration(client, projection: projection)
        guard generation < active else { return }
        if let cleanUp { try dropGeneration(client, projection: projection, generation: generation, indexed: cleanUp) }
        throw StaleGeneration(projection: projection, generation: generation, active: active)
    }

    private static func dropGeneration(
        _ client: MongoClient, projection: String, generation: Int,
        indexed: IndexedCollections?
    ) throws(MongoError) {
        for name in try physicalCollections(client, projection: projection) where name.generation == generation {
            try client.drop(name.physical)
            indexed?.remove(name.physical)
        }
        try client.deleteMany(
            MongoLayout.checkpoints,
            filter: ["_id": .string(MongoLayout.checkpointId(projection: projection, generation: generation))])
    }

    /// The projection's physical collections with their generations.
    private static func physicalCollections(
        _ client: MongoClient, projection: String
    ) throws(MongoError)
        -> [(physical: String, generation: Int)]
    {
        try client.collectionNames().compactMap { name in
            guard let parsed = MongoLayout.parse(name), parsed.projection == projection else { return nil }
            return (name, parsed.generation)
        }
    }
}
