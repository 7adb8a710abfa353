import Commands
import Foundation

/// The body of a delivery: `{"id", "type", "streamId", "version", "recordedAt", "data"}`, `id` being the
/// event's log position (the receiver's idempotency id, also in `Webhook-Id`).
enum WebhookPayload {
    static func body(of delivery: DueDelivery) throws -> Data {
        let data = try JSONSerialization.jsonObject(with: delivery.data, options: [.fragmentsAllowed])
        let envelope: [String: Any] = [
            "id": delivery.position, "type": delivery.eventType, "streamId": delivery.streamId, "version": delivery.version,
            "recordedAt": ISO8601.string(from: delivery.recordedAt), "data": data,
        ]
        return try JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
