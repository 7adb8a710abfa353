internal import CMongoC
import Logging
import Synchronization

/// Sends libmongoc's own log lines (connection drops, monitor errors) to the process's logger instead
/// of libmongoc's default handler, which prints to stdout and stderr.
///
/// libmongoc has one handler per process, so the logger of the first store opened is used. The boxed
/// logger is retained for the life of the process, as libmongoc may call the handler from its
/// monitor threads at any time.
enum MongoLog {
    private static let installed = Mutex(false)

    static func install(_ logger: Logger) {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var logger = logger
        logger[metadataKey: "mongoc"] = "libmongoc"
        let box = Unmanaged.passRetained(LoggerBox(logger)).toOpaque()
        mongoc_log_set_handler(
            { level, domain, message, userData in
                guard let userData, let message else { return }
                let logger = Unmanaged<LoggerBox>.fromOpaque(userData).takeUnretainedValue().logger
                let text = String(cString: message)
                let metadata: Logger.Metadata = ["mongoc.domain": "\(domain.map { String(cString: $0) } ?? "")"]
                switch level {
                // The store reports failures as typed errors to its caller; the driver's view is context.
                case MONGOC_LOG_LEVEL_ERROR, MONGOC_LOG_LEVEL_CRITICAL, MONGOC_LOG_LEVEL_WARNING:
                    logger.warning("\(text)", metadata: metadata)
                case MONGOC_LOG_LEVEL_MESSAGE, MONGOC_LOG_LEVEL_INFO:
                    logger.info("\(text)", metadata: metadata)
                case MONGOC_LOG_LEVEL_DEBUG:
                    logger.debug("\(text)", metadata: metadata)
                default:
                    logger.trace("\(text)", metadata: metadata)
                }
            }, box)
    }

    private final class LoggerBox: Sendable {
        let logger: Logger
        init(_ logger: Logger) { self.logger = logger }
    }
}
