import Commands
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Projections

/// The one table from every error the system can raise to its HTTP status, code and details.
enum ErrorMapping {
    struct Mapped {
        var status: HTTPResponse.Status
        var code: String
        var message: String
        var details: [String: JSONValue] = [:]
        var headers: HTTPFields = [:]
    }

    static func map(_ error: any Error) -> Mapped? {
        switch error {
        case let error as DomainError: return map(error)
        case let error as APIError: return map(error)
        case CommandError.outcomeUnknown, EventStoreError.outcomeUnknown:
            return map(APIError.outcomeUnknown(bookingId: nil))
        case CommandError.overloaded(let seconds):
            return Mapped(
                status: .serviceUnavailable, code: "overloaded",
                message: "too many concurrent changes to this session; retry shortly",
                headers: [.retryAfter: "\(seconds)"])
        case is SeatFeedFull:
            return Mapped(
                status: .serviceUnavailable, code: "overloaded", message: "this server has as many live seat maps open as it allows; retry shortly",
                headers: [.retryAfter: "5"])
        case is CancellationError:
            return unavailable("the request was cut short")
        // Its key was stored by another request whose outcome could not be read back just now: a retry
        // is answered from it.
        case EventStoreError.idempotencyKeyTaken:
            return unavailable("a request with this Idempotency-Key is being recorded")
        case let error as MongoError where error.isUnavailable:
            return unavailable("the read-model store is unavailable")
        // The reason (a SQLSTATE, a time-out) stays in the server's log: it tells a client nothing it can act
        // on, and tells an attacker how the database fails.
        case is DeadlineExceeded, EventStoreError.unavailable:
            return unavailable("the event store is unavailable")
        case let error as HTTPError where error.status == .notFound:
            return map(APIError.notFound("route"))
        case let error as HTTPError where error.status == .contentTooLarge:
            return map(APIError.payloadTooLarge(limit: JSONBody.maxBytes))
        case let error as HTTPError where (400..<500).contains(error.status.code):
            return Mapped(status: error.status, code: "invalid_request", message: error.body ?? error.status.reasonPhrase)
        default: return nil
        }
    }

    /// A store that cannot answer now: 503, worth retrying in a second.
    private static func unavailable(_ reason: String) -> Mapped {
        Mapped(status: .serviceUnavailable, code: "unavailable", message: "\(reason); retry shortly", headers: [.retryAfter: "1"])
    }

    private static func map(_ error: DomainError) -> Mapped {
        switch error {
        case .invalid(let message): Mapped(status: .badRequest, code: "invalid_request", message: message)
        case .notFound(let what): Mapped(status: .notFound, code: "not_found", message: "\(what) not found")
        case .forbidden: Mapped(status: .forbidden, code: "forbidden", message: "this booking belongs to someone else")
        case .seatUnavailable(let seats):
            Mapped(
                status: .conflict, code: "seat_unavailable", message: "some seats are already taken",
                details: ["seats": .array(seats.map(JSONValue.string))])
        case .insufficientCapacity(let remaining):
            Mapped(
                status: .conflict, code: "insufficient_capacity", message: "not enough places left",
                details: ["remaining": .number(Double(remaining))])
        case .noSeatsTogether(let largest):
            Mapped(
                status: .conflict, code: "no_seats_together", message: "no row has that many free seats side by side",
                details: ["largest": .number(Double(largest))])
        case .wouldStrandSeat(let seat):
            Mapped(
                status: .conflict, code: "would_strand_seat", message: "this choice would leave seat \(seat) alone; pick seats beside it",
                details: ["seat": .string(seat)])
        case .salesClosed(let opensAt, let closesAt):
            Mapped(
                status: .conflict, code: "sales_closed", message: "this session is not on sale now",
                details: [
                    "salesOpenAt": opensAt.map { .string(ISO8601.string(from: $0)) } ?? .null,
                    "salesCloseAt": closesAt.map { .string(ISO8601.string(from: $0)) } ?? .null,
                ])
        case .seatLimitReached(let limit, let held):
            Mapped(
                status: .conflict, code: "seat_limit_reached", message: "at most \(limit) seats per buyer in this session",
                details: ["limit": .number(Double(limit)), "held": .number(Double(held))])
        case .holdNotExtendable(let reason): Mapped(status: .conflict, code: "hold_not_extendable", message: reason)
        case .placesAvailable(let free):
            Mapped(
                status: .conflict, code: "places_available", message: "not sold out: \(free) places are free, book them instead of waiting",
                details: ["available": .number(Double(free))])
        case .notAdmitted(let place, let admitAt):
            Mapped(
                status: .conflict, code: "not_admitted",
                message: admitAt == nil
                    ? "this on-sale has a waiting room: join its queue (POST /sessions/:id/queue)"
                    : place == nil ? "sales have not opened yet: wait for admitAt" : "your turn in the waiting room comes at admitAt",
                details: [
                    "place": place.map { .number(Double($0)) } ?? .null, "admitAt": admitAt.map { .string(ISO8601.string(from: $0)) } ?? .null,
                ])
        case .roomEmpty:
            Mapped(status: .conflict, code: "waiting_room_empty", message: "everyone in the waiting room has been admitted: book directly")
        case .blockEmpty(let blockId):
            Mapped(
                status: .conflict, code: "block_empty", message: "block \(blockId) holds no seats: it was released or booked out",
                details: ["blockId": .string(blockId)])
        case .holdExpired: Mapped(status: .conflict, code: "hold_expired", message: "the hold has expired")
        case .bookingCancelled: Mapped(status: .conflict, code: "booking_cancelled", message: "the booking was cancelled")
        case .emailTaken: Mapped(status: .conflict, code: "email_taken", message: "this email is already registered")
        case .alreadyExists(let what): Mapped(status: .conflict, code: "already_exists", message: "\(what) already exists")
        case .alreadyCheckedIn(let at, let gate):
            Mapped(
                status: .conflict, code: "already_checked_in", message: "this ticket was used at \(gate)",
                details: ["checkedInAt": .string(ISO8601.string(from: at)), "gate": .string(gate)])
        case .wrongSession(let reason): Mapped(status: .conflict, code: "wrong_session", message: reason)
        }
    }

    private static func map(_ error: APIError) -> Mapped {
        switch error {
        case .invalidRequest(let message): Mapped(status: .badRequest, code: "invalid_request", message: message)
        case .unauthorized:
            Mapped(
                status: .unauthorized, code: "unauthorized", message: "a valid bearer token is required",
                headers: [.wwwAuthenticate: "Bearer"])
        case .forbidden: Mapped(status: .forbidden, code: "forbidden", message: "not allowed for this token")
        case .notFound(let what): Mapped(status: .notFound, code: "not_found", message: "\(what) not found")
        case .methodNotAllowed(let allowed):
            Mapped(
                status: .methodNotAllowed, code: "method_not_allowed", message: "method not allowed here",
                details: ["allowed": .array(allowed.map(JSONValue.string))],
                headers: [.allow: allowed.joined(separator: ", ")])
        case .payloadTooLarge(let limit):
            Mapped(status: .contentTooLarge, code: "payload_too_large", message: "body larger than \(limit) bytes")
        case .rateLimited(let seconds):
            Mapped(
                status: .tooManyRequests, code: "rate_limited", message: "too many requests from this client; retry later",
                headers: [.retryAfter: "\(seconds)"])
        case .idempotencyKeyReused:
            Mapped(
                status: .conflict, code: "idempotency_key_reused",
                message: "this Idempotency-Key was used with a different request")
        case .outcomeUnknown(let bookingId):
            Mapped(
                status: .serviceUnavailable, code: "outcome_unknown",
                message: "the command was cut off and may still be recorded: look the booking up, or retry with the same Idempotency-Key",
                details: bookingId.map { ["bookingId": .string($0)] } ?? [:], headers: [.retryAfter: "1"])
        case .readModelBehind:
            unavailable("the read model has not yet applied what was committed before this request")
        case .webhookTargetRefused(let reason): Mapped(status: .badRequest, code: "webhook_target_refused", message: reason)
        case .deliveryPending:
            Mapped(
                status: .conflict, code: "delivery_pending", message: "this delivery is still queued; only a delivered or failed one can be retried")
        }
    }

    /// Status and code of `error` as the client will see them, for the request metrics.
    static func outcome(of error: any Error) -> RequestMetrics.Outcome {
        guard let mapped = map(error) else { return .init(status: 500, code: "internal") }
        return .init(status: Int(mapped.status.code), code: mapped.code)
    }

    /// The JSON error response for `error`; anything unmapped is logged and becomes a 500.
    static func response(for error: any Error, logger: Logger) -> Response {
        let mapped =
            map(error)
            ?? {
                logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
                return Mapped(status: .internalServerError, code: "internal", message: "internal error")
            }()
        if mapped.code == "unavailable" {
            logger.warning("answered unavailable", metadata: ["error": "\(String(reflecting: error))"])
        }
        var error: [String: JSONValue] = ["code": .string(mapped.code), "message": .string(mapped.message)]
        error.merge(mapped.details) { current, _ in current }
        var response = JSONResponse.make(status: mapped.status, body: JSONValue.object(["error": .object(error)]))
        for field in mapped.headers { response.headers.append(field) }
        return response
    }
}
