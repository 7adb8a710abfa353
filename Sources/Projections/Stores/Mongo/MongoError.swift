internal import CMongoC

/// What can go wrong talking to MongoDB, with the server's own code and message when it refused.
public enum MongoError: Error, Equatable, CustomStringConvertible {
    /// `MONGODB_URI` does not parse.
    case invalidURI(String)
    /// No server could be selected in time, or the connection failed or dropped mid-command.
    case connection(String)
    /// The server answered with an error: its code (e.g. 11000 duplicate key) and message.
    case server(code: Int, message: String)
    /// A document could not be converted between JSON and BSON.
    case invalidDocument(String)
    /// A query named a field that is not a plain identifier.
    case invalidField(String)
    /// Any other libmongoc error: its domain, code and message.
    case driver(domain: UInt32, code: UInt32, message: String)
    /// As many calls as the connection admits are already running or queued: refused at once.
    case busy(admitted: Int)

    /// MongoDB's duplicate-key error code.
    public static let duplicateKey = 11000

    /// The error a failed libmongoc call reported (the pool uses error API version 2, so a server's
    /// refusal arrives in the SERVER or WRITE_CONCERN domain with the server's own code).
    init(_ error: bson_error_t) {
        let message = Self.message(of: error)
        switch error.domain {
        case MONGOC_ERROR_SERVER.rawValue, MONGOC_ERROR_WRITE_CONCERN.rawValue, MONGOC_ERROR_QUERY.rawValue:
            self = .server(code: Int(error.code), message: message)
        case MONGOC_ERROR_STREAM.rawValue, MONGOC_ERROR_SERVER_SELECTION.rawValue:
            self = .connection(message)
        case MONGOC_ERROR_BSON.rawValue:
            self = .invalidDocument(message)
        default:
            self = .driver(domain: error.domain, code: error.code, message: message)
        }
    }

    /// The NUL-terminated message of a `bson_error_t`.
    static func message(of error: bson_error_t) -> String {
        withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// True when MongoDB could not be reached (worth a 503 and a retry, not a 500).
    public var isUnavailable: Bool {
        switch self {
        case .connection, .busy: true
        default: false
        }
    }

    /// True for the server's duplicate-key refusal.
    public var isDuplicateKey: Bool {
        if case .server(Self.duplicateKey, _) = self { return true }
        return false
    }

    /// The error for logs and `/health`.
    public var description: String {
        switch self {
        case .invalidURI(let message): "invalid MongoDB URI: \(message)"
        case .connection(let message): "MongoDB unreachable: \(message)"
        case .server(let code, let message): "MongoDB error \(code): \(message)"
        case .invalidDocument(let message): "BSON conversion failed: \(message)"
        case .invalidField(let name): "invalid field name \(name)"
        case .driver(let domain, let code, let message): "libmongoc error \(domain).\(code): \(message)"
        case .busy(let admitted): "MongoDB calls at their limit (\(admitted) running or queued)"
        }
    }
}
