import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Delivers one endpoint's queue in log-position order: the head is retried (with back-off) until it is
/// delivered or too old and marked failed, then the next. Each endpoint has its own sender, so a slow or
/// dead one holds up only itself.
struct WebhookSender: Sendable {
    let webhookId: String
    let queue: any WebhookQueue
    let http: HTTPClient
    let settings: WebhookSettings
    let logger: Logger

    /// Sends until the endpoint has nothing pending; waits for due times in short naps so a retry the admin
    /// asked for is seen.
    func run() async throws {
        while true {
            try Task.checkCancellation()
            guard let head = try await queue.head(of: webhookId) else { return }
            if head.wait > .zero {
                try await Task.sleep(for: min(head.wait, .seconds(1)))
                continue
            }
            try await attempt(head)
        }
    }

    private func attempt(_ head: DueDelivery) async throws {
        let outcome = await send(head)
        var metadata: Logger.Metadata = ["webhook.id": "\(webhookId)", "event.position": "\(head.position)"]
        switch outcome {
        case .success(let status):
            try await queue.delivered(webhookId: webhookId, position: head.position, status: status)
            logger.debug("webhook delivered", metadata: metadata)
        case .failure(let reason, let status):
            let retryIn = settings.backoff(afterAttempts: head.attempts + 1)
            let now = try await queue.attemptFailed(
                webhookId: webhookId, position: head.position, error: reason, status: status, retryIn: retryIn, maxAge: settings.maxAge)
            metadata["webhook.error"] = "\(reason)"
            if now == .failed {
                logger.warning("webhook delivery failed for good", metadata: metadata)
            } else {
                logger.debug("webhook attempt failed; retrying", metadata: metadata)
            }
        }
    }

    enum Outcome {
        case success(Int)
        case failure(String, Int?)
    }

    private func send(_ head: DueDelivery) async -> Outcome {
        do {
            try await settings.targets.checkResolved(url: head.url)
        } catch {
            return .failure("refused: \(error)", nil)
        }
        do {
            let body = try WebhookPayload.body(of: head)
            let timestamp = Int64(Date().timeIntervalSince1970)
            var request = HTTPClientRequest(url: head.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "boxoffice-webhooks")
            request.headers.add(name: WebhookSignature.idHeader, value: String(head.position))
            request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
            request.headers.add(
                name: WebhookSignature.signatureHeader, value: WebhookSignature.sign(secret: head.secret, timestamp: timestamp, body: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            let timeout = TimeAmount.milliseconds(Int64(settings.timeout.seconds * 1_000))
            let response = try await http.execute(request, timeout: timeout)
            // Only the status counts; the body is read (bounded) so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .success(status) : .failure("HTTP \(status)", status)
        } catch {
            return .failure(Self.describe(error), nil)
        }
    }

    /// An error said briefly, without the URL (which may carry a token in its query).
    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            if client == .deadlineExceeded || client == .readTimeout || client == .connectTimeout { return "timed out" }
            return "request failed: \(client)"
        }
        return "request failed: \(type(of: error))"
    }
}
