import EventStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import Projections

/// The stores the contract suite runs against: PostgreSQL and the MongoDB store on an emulated server
/// always, the MongoDB store on a real server when `MONGODB_URI` is set.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case postgresql
    /// `MongoDocumentStore` through libmongoc against mongo_emulator.py (mockupdb + mongomock).
    case mongodbEmulated = "mongodb-emulated"
    case mongodb

    var testDescription: String { rawValue }
}

enum ContractStores {
    static let mongoURI = ProcessInfo.processInfo.environment["MONGODB_URI"].flatMap { $0.isEmpty ? nil : $0 }

    /// The stores to run each contract test on. Says so, once, when the live MongoDB run is left out.
    static let kinds: [StoreKind] = {
        guard mongoURI != nil else {
            print(
                """
                ⚠︎ DocumentStore contract: the live MongoDB run is SKIPPED because MONGODB_URI is not set (no MongoDB \
                server can be installed on this machine; set MONGODB_URI to a scratch database to run it). The suite \
                runs on PostgreSQL and on MongoDocumentStore against an emulated mongod (mockupdb + mongomock).
                """)
            return [.postgresql, .mongodbEmulated]
        }
        print("DocumentStore contract: running against PostgreSQL, an emulated mongod and MongoDB (MONGODB_URI)")
        return [.postgresql, .mongodbEmulated, .mongodb]
    }()

    /// One fresh PostgreSQL database for the whole suite (documents, and the events some tests append).
    private static let postgres = Task { () throws -> (client: PostgresClient, events: PostgresEventStore) in
        try await TestDatabase.stores(try await TestDatabase.freshDatabase())
    }

    private static let mongo = Result { () throws -> MongoDocumentStore in
        try MongoDocumentStore(uri: mongoURI ?? "mongodb://127.0.0.1:1/", logger: TestDatabase.logger, appName: "boxoffice-contract")
    }

    /// mongo_emulator.py, for the life of the test process, and one store (one client pool) on it.
    private static let emulated = Task { () throws -> (MockMongo, MongoDocumentStore) in
        let emulator = try await MockMongo(script: "mongo_emulator.py", scenario: "emulator")
        return (emulator, try MongoDocumentStore(uri: emulator.uri, logger: TestDatabase.logger, appName: "boxoffice-contract"))
    }

    static func store(_ kind: StoreKind) async throws -> any DocumentStore {
        switch kind {
        case .postgresql: PostgresDocumentStore(client: try await postgres.value.client, logger: TestDatabase.logger)
        case .mongodbEmulated: try await emulated.value.1
        case .mongodb: try mongo.get()
        }
    }

    /// The event store of the suite's database.
    static func events() async throws -> PostgresEventStore {
        try await postgres.value.events
    }

    /// A projection name no other test uses, so each test has its own generations and checkpoints.
    static func projection() -> String {
        "ct" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
    }
}
