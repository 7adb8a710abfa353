/// Failures the gateway itself detects before or around a command (the domain has its own).
public enum APIError: Error, Equatable, Sendable {
    /// Malformed JSON, wrong types, missing fields, values out of bounds.
    case invalidRequest(String)
    /// No or unknown bearer token.
    case unauthorized
    /// Valid token, but not allowed to act here.
    case forbidden
    /// Unknown route, or an id that names nothing.
    case notFound(String)
    /// The path exists, but not for this method.
    case methodNotAllowed(allowed: [String])
    /// The body is larger than the limit.
    case payloadTooLarge(limit: Int)
    /// The same idempotency key came with a different request.
    case idempotencyKeyReused
    /// The client sent more requests than its rate limit allows; retry after this many seconds.
    case rateLimited(retryAfter: Int)
    /// A command was cut off and the log does not yet say whether it was recorded; the booking id (when it
    /// made one) can be looked up, and a retry with the same `Idempotency-Key` is safe.
    case outcomeUnknown(bookingId: String?)
    /// A look-up missed while its read model was still behind the log past the wait limit: whether the
    /// thing exists is not known yet, so the answer is not a 404.
    case readModelBehind
    /// A webhook URL that may not be a target (not http(s), or a host that is not public and not allowed).
    case webhookTargetRefused(String)
    /// A retry of a delivery that is still waiting to be delivered.
    case deliveryPending
}
