import Foundation

/// Payload of `ScannerCreated`: a door scanner's credential, which can only check tickets in. The token
/// is stored only as its SHA-256 hash.
public struct ScannerCreated: Codable, Equatable, Sendable {
    public var scannerId: String
    public var name: String
    /// The only session it may admit to (nil: any whose doors are open).
    public var sessionId: String?
    public var tokenHash: String
    public var createdAt: Date

    public init(scannerId: String, name: String, sessionId: String?, tokenHash: String, createdAt: Date) {
        self.scannerId = scannerId
        self.name = name
        self.sessionId = sessionId
        self.tokenHash = tokenHash
        self.createdAt = createdAt
    }
}

/// Events of a scanner stream (`scanner-<id>`).
public enum ScannerEvent: DomainEvent, Equatable {
    case created(ScannerCreated)

    public static let types: [EventType] = [.scannerCreated]

    public var type: EventType {
        switch self {
        case .created: .scannerCreated
        }
    }

    public func encodedData() throws -> Data {
        switch self {
        case .created(let payload): try EventJSON.encoder.encode(payload)
        }
    }

    public static func decode(type: String, data: Data) throws -> ScannerEvent? {
        switch EventType(rawValue: type) {
        case .scannerCreated: .created(try EventJSON.decoder.decode(ScannerCreated.self, from: data))
        default: nil
        }
    }
}
