internal import CMongoC
import Logging
import NIOPosix
import Synchronization

/// libmongoc wants `mongoc_init()` exactly once per process, before anything else; a global is
/// initialised once, thread-safely, on first use.
private let mongocInitialised: Void = mongoc_init()

/// The process's one `mongoc_client_pool_t`, and the threads its blocking calls run on.
///
/// The threads are its own, and bounded: libmongoc blocks on sockets, and a MongoDB that stops answering
/// must not take the process's shared thread pool (or an unbounded queue) with it. At most `admitLimit`
/// calls run or wait at once; beyond that a call is refused at once with `MongoError.busy` (a 503).
/// Each call is bounded by `socketTimeoutMS` (2 s unless the URI says otherwise; a retried read takes two),
/// inside the gateway's request deadline.
///
/// `@unchecked Sendable`: libmongoc documents `mongoc_client_pool_t` as thread-safe (pop and push from
/// any thread); the clients it hands out are used by one thread-pool job at a time and pushed back.
final class MongoConnection: @unchecked Sendable {
    private let pool: OpaquePointer
    private let threads: NIOThreadPool
    private let admitted = Mutex(0)
    let admitLimit: Int
    /// The database named in the URI path (`boxoffice` when it names none).
    let database: String

    init(uri: String, appName: String, threads count: Int, admitLimit: Int, logger: Logger) throws(MongoError) {
        _ = mongocInitialised
        MongoLog.install(logger)
        var error = bson_error_t()
        guard let parsed = mongoc_uri_new_with_error(uri, &error) else { throw .invalidURI(MongoError.message(of: error)) }
        defer { mongoc_uri_destroy(parsed) }
        // libmongoc waits 30 s for a server by default. A read-model query should fail well inside the
        // gateway's request deadline (5 s) when MongoDB is down, so that /health can still say which
        // store is down. A URI that sets its own timeout keeps it.
        if !mongoc_uri_has_option(parsed, MONGOC_URI_SERVERSELECTIONTIMEOUTMS) {
            _ = mongoc_uri_set_option_as_int32(parsed, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 2_000)
        }
        // libmongoc's default socket timeout is 300 s: a server that stops answering without closing would
        // hold a thread that long. Two seconds is far more than any read-model call takes, and a read
        // libmongoc retries once still ends inside the gateway's 5 s request deadline.
        if !mongoc_uri_has_option(parsed, MONGOC_URI_SOCKETTIMEOUTMS) {
            _ = mongoc_uri_set_option_as_int32(parsed, MONGOC_URI_SOCKETTIMEOUTMS, 2_000)
        }
        database = mongoc_uri_get_database(parsed).map { String(cString: $0) } ?? "boxoffice"
        guard let pool = mongoc_client_pool_new_with_error(parsed, &error) else { throw MongoError(error) }
        // Version 2 reports a server's refusal in the SERVER domain with the server's own error code.
        _ = mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2)
        _ = mongoc_client_pool_set_appname(pool, appName)
        _ = mongoc_client_pool_max_size(pool, UInt32(max(count, 1)))
        self.pool = pool
        self.admitLimit = max(admitLimit, 1)
        threads = NIOThreadPool(numberOfThreads: max(count, 1))
        threads.start()
    }

    deinit {
        // Destroying the pool ends its server sessions: a round trip, or a wait for server selection
        // when MongoDB is gone. So it runs on the thread pool too, like every other blocking call; the
        // threads stop once it (and whatever was queued) ran.
        let pool = PoolHandle(pointer: pool)
        let threads = threads
        threads.submit { _ in mongoc_client_pool_destroy(pool.pointer) }
        threads.shutdownGracefully(queue: .global()) { _ in }
    }

    /// Runs `body` with a pooled client on one of the connection's threads: libmongoc blocks on sockets,
    /// so it must stay off the event loops and the cooperative pool.
    func run<T: Sendable>(_ body: @escaping @Sendable (MongoClient) throws -> T) async throws -> T {
        let limit = admitLimit
        let admitted = admitted.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { throw MongoError.busy(admitted: limit) }
        defer { self.admitted.withLock { $0 -= 1 } }
        return try await threads.runIfActive { [self] in
            let client = mongoc_client_pool_pop(pool)!
            defer { mongoc_client_pool_push(pool, client) }
            return try body(MongoClient(client: client, database: database))
        }
    }
}

/// The pool pointer handed to the thread pool for destruction (libmongoc's pool is thread-safe).
private struct PoolHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
