import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird

extension CatalogueService {
    /// Answers a change of what a session sells (its cap and window, blocks, waiting list, waiting room):
    /// decided and recorded under the request's idempotency key, and replayed from it.
    func respond(
        _ change: SessionCommand, on sessionId: String, _ command: CommandRequest, store: any EventStore, status: HTTPResponse.Status,
        body: @escaping (SessionOutcome, Int64) -> any Encodable
    ) async throws -> Response {
        let render = { (outcome: SessionOutcome, position: Int64) in
            try CommandRequest.answer(status: status, body: body(outcome, position), position: position)
        }
        return try await command.idempotent(store, replay: render) {
            let result = try await self.change(sessionId, change, command)
            return (try render(result.outcome, result.position), !result.events.isEmpty)
        }
    }
}
