import Foundation
import Logging
import PostgresNIO

/// How many times each projection had to repair a read model (missed events applied late, a missing
/// document rebuilt from its stream, a batch reordered). Kept in PostgreSQL beside the event log,
/// whichever store holds the documents, so every process's repairs add up and any process can report
/// them (`/health`, `boxoffice_projection_repairs_total`). Anything but 0 is a bug worth a look.
public struct ProjectionRepairs: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Counts one repair of `projection`.
    func record(_ projection: String) async {
        do {
            try await client.query(
                """
                INSERT INTO projection_repairs (projection, repairs, last_at) VALUES (\(projection), 1, now())
                ON CONFLICT (projection) DO UPDATE SET repairs = projection_repairs.repairs + 1, last_at = now()
                """, logger: logger)
        } catch {
            logger.warning("could not count a read-model repair", metadata: ["projection": "\(projection)", "error": "\(error)"])
        }
    }

    /// Repairs counted so far, by projection (projections never repaired are absent).
    public func counts() async throws -> [String: Int] {
        let rows = try await client.query("SELECT projection, repairs FROM projection_repairs", logger: logger)
        var counts: [String: Int] = [:]
        for try await (projection, repairs) in rows.decode((String, Int).self) { counts[projection] = repairs }
        return counts
    }
}
