import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Webhooks

/// A webhook receiver on a loopback port, for the delivery tests: it checks every request's signature and
/// records what arrived, answering each request as its `behaviour` says (fail, hang past the worker's
/// time-out, succeed).
final class WebhookReceiver: Sendable {
    enum Answer: Sendable { case fail, hang, succeed }

    struct Receipt: Sendable {
        var id: Int64
        var type: String
        var streamId: String
        var version: Int
        var signatureValid: Bool
        /// Whether this request was answered 2xx at once (a hung one is not: the worker gave up on it).
        var succeeded: Bool
    }

    let secret: String
    private let behaviour: @Sendable (_ request: Int) -> Answer
    private let state = Mutex<(count: Int, receipts: [Receipt])>((0, []))
    private let boundPort = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(secret: String, behaviour: @escaping @Sendable (Int) -> Answer) {
        self.secret = secret
        self.behaviour = behaviour
    }

    var receipts: [Receipt] { state.withLock { $0.receipts } }
    var url: String { "http://127.0.0.1:\(boundPort.withLock { $0 } ?? 0)/hook" }

    /// The positions answered 2xx, each once.
    var delivered: Set<Int64> { Set(receipts.filter(\.succeeded).map(\.id)) }

    func start() async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = Data(buffer: try await request.body.collect(upTo: 1 << 20))
            let timestamp = Int64(request.headers[HTTPField.Name("Webhook-Timestamp")!] ?? "") ?? 0
            let signature = request.headers[HTTPField.Name("Webhook-Signature")!] ?? ""
            let valid = WebhookSignature.verify(secret: self.secret, timestamp: timestamp, body: body, signature: signature)
            let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
            let headerId = Int64(request.headers[HTTPField.Name("Webhook-Id")!] ?? "")
            let id = (json["id"] as? NSNumber)?.int64Value ?? -1
            let turn = self.state.withLock { state in
                state.count += 1
                return state.count
            }
            let answer = self.behaviour(turn)
            if answer == .hang { try await Task.sleep(for: .seconds(3)) }
            let receipt = Receipt(
                id: id, type: json["type"] as? String ?? "", streamId: json["streamId"] as? String ?? "",
                version: (json["version"] as? NSNumber)?.intValue ?? -1, signatureValid: valid && headerId == id,
                succeeded: answer == .succeed)
            self.state.withLock { $0.receipts.append(receipt) }
            return Response(status: answer == .fail ? .internalServerError : .ok)
        }
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: {
                // Cancelling the server at the end of a test is logged as errors: not worth reading.
                var logger = Logger(label: "webhook-receiver")
                logger.logLevel = .critical
                return logger
            }())
        task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        for await port in ready.stream {
            boundPort.withLock { $0 = port }
            break
        }
    }

    func stop() { task.withLock { $0?.cancel() } }
}
