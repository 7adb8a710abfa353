import Foundation

/// A pure aggregate: how its state evolves from events and how it decides on commands.
///
/// Modelled on Emmett's decide/evolve split: no I/O, time passed in, so every rule is testable
/// as given-events / when-command / then-events-or-error.
public protocol Decider: Sendable {
    /// Folded state of one stream.
    associatedtype State: Sendable
    /// What callers ask the aggregate to do.
    associatedtype Command: Sendable
    /// What the aggregate records.
    associatedtype Event: DomainEvent
    /// What the caller is shown of the state right after its command; `Codable` so an idempotency key
    /// can remember it and a repeated request be answered from it.
    associatedtype Outcome: Codable & Sendable

    /// State of a stream that has no events.
    static var initialState: State { get }
    /// Applies one event; must accept any event the log can contain, so it never throws.
    static func evolve(_ state: inout State, _ event: Event)
    /// Decides what to record for `command`, or why not.
    static func decide(_ command: Command, _ state: State, now: Date) throws(DomainError) -> [Event]
    /// The caller's view of `state` after `command` was decided and its events applied.
    static func outcome(of command: Command, in state: State) -> Outcome
}

extension Decider {
    /// Folds a sequence of events from the initial state.
    public static func fold<S: Sequence>(_ events: S) -> State where S.Element == Event {
        var state = initialState
        for event in events { evolve(&state, event) }
        return state
    }
}

/// An event that knows its type name and JSON payload, so the store can persist it without
/// knowing the domain.
public protocol DomainEvent: Sendable {
    /// Every type this aggregate's streams hold.
    static var types: [EventType] { get }
    /// This event's type.
    var type: EventType { get }
    /// The JSON payload stored in the `data` column.
    func encodedData() throws -> Data
    /// Rebuilds an event from its stored type and payload; nil for a type this aggregate does not know.
    static func decode(type: String, data: Data) throws -> Self?
}

extension DomainEvent {
    /// Stable type name stored in the `type` column.
    public var typeName: String { type.rawValue }
    /// The stored names of `types`, for reads filtered by type.
    public static var typeNames: [String] { types.map(\.rawValue) }
}

/// JSON coders shared by every event payload, so stored data is stable across the code base.
public enum EventJSON {
    /// Made once and shared: a coder costs more to make than a small payload costs to code, and both are
    /// safe to use from many threads as long as nobody changes their settings (make one for that).
    public static let encoder = makeEncoder()
    public static let decoder = makeDecoder()

    /// Encoder with ISO-8601 dates and sorted keys.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Decoder matching `makeEncoder()`.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 date: \(text)")
            }
            return date
        }
        return decoder
    }
}

/// ISO-8601 with milliseconds, UTC: the one timestamp format of the system.
public enum ISO8601 {
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let whole = Date.ISO8601FormatStyle()

    /// Formats `date` as `2026-11-21T10:00:00.000Z`, rounded to the millisecond.
    ///
    /// Foundation's fractional style truncates, and a stored `Double` often sits just below the
    /// exact millisecond, so values would drift 1 ms earlier on every read–write round trip.
    public static func string(from date: Date) -> String {
        var (seconds, millis) = Int64((date.timeIntervalSince1970 * 1000).rounded()).quotientAndRemainder(dividingBy: 1000)
        if millis < 0 {
            seconds -= 1
            millis += 1000
        }
        let secondsText = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(Self.whole).dropLast()
        let fraction = String(millis)
        return secondsText + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// Parses ISO-8601 UTC with or without fractional seconds; nil when malformed.
    public static func date(from text: String) -> Date? {
        (try? fractional.parse(text)) ?? (try? whole.parse(text))
    }
}
