import EventStore
import Foundation
import PostgresNIO
@testable import Projections
import Testing
import TestSupport

/// The stores the contract suite runs against: PostgreSQL always, MongoDB when `MONGODB_URI` is set.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case postgresql
    case mongodb

    var testDescription: String { rawValue }
}

enum ContractStores {
    static let mongoURI = ProcessInfo.processInfo.environment["MONGODB_URI"].flatMap { $0.isEmpty ? nil : $0 }

    /// The stores to run each contract test on. Says so, once, when MongoDB is left out.
    static let kinds: [StoreKind] = {
        guard mongoURI != nil else {
            print("""
                ⚠︎ DocumentStore contract: the MongoDB run is SKIPPED because MONGODB_URI is not set (no MongoDB server \
                can be installed on this machine; set MONGODB_URI to a scratch database to run it). PostgreSQL runs; \
                MongoWireTests check the MongoDB adapter against mockupdb.
                """)
            return [.postgresql]
        }
        print("DocumentStore contract: running against PostgreSQL and MongoDB (MONGODB_URI)")
        return [.postgresql, .mongodb]
    }()

    /// One fresh PostgreSQL database for the whole suite (documents, and the events some tests append).
    private static let postgres = Task { () throws -> (client: PostgresClient, events: PostgresEventStore) in
        try await TestDatabase.stores(try await TestDatabase.freshDatabase())
    }

    private static let mongo = Result { () throws -> MongoDocumentStore in
        try MongoDocumentStore(uri: mongoURI ?? "mongodb://127.0.0.1:1/", logger: TestDatabase.logger, appName: "boxoffice-contract")
    }

    static func store(_ kind: StoreKind) async throws -> any DocumentStore {
        switch kind {
        case .postgresql: PostgresDocumentStore(client: try await postgres.value.client, logger: TestDatabase.logger)
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
