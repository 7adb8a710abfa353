import Crypto
import EventStore
import Foundation
import Synchronization

/// What a ticket's QR code carries: `<ticket id>.<MAC>`, the MAC an HMAC-SHA256 of the id under this
/// deployment's ticket key, cut to 160 bits. Nothing stores it: the log has the ticket id, the key is in
/// the database (`server_keys`, never served), and only the holder of the booking is shown the secret
/// (ADR 0020).
final class TicketSecrets: Sendable {
    private let store: any EventStore
    private let key = Mutex<SymmetricKey?>(nil)
    static let macBytes = 20

    init(store: any EventStore) {
        self.store = store
    }

    /// The secret of a ticket.
    func secret(of ticketId: String) async throws -> String {
        ticketId + "." + Identifiers.hex(Data(try await mac(of: ticketId)))
    }

    /// The ticket a secret is for; nil when the secret was not made here (forged, mistyped, another system's).
    func ticketId(of secret: String) async throws -> String? {
        guard Identifiers.isSane(secret, maxLength: 200), let dot = secret.lastIndex(of: ".") else { return nil }
        let ticketId = String(secret[..<dot])
        guard !ticketId.isEmpty, let given = Self.bytes(hex: secret[secret.index(after: dot)...]), given.count == Self.macBytes else {
            return nil
        }
        let expected = try await mac(of: ticketId)
        // Every byte is compared whatever the first difference: the time taken says nothing about a guess.
        let difference = zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) }
        return difference == 0 ? ticketId : nil
    }

    private func mac(of ticketId: String) async throws -> [UInt8] {
        let key = try await ticketKey()
        return Array(HMAC<SHA256>.authenticationCode(for: Data(ticketId.utf8), using: key).prefix(Self.macBytes))
    }

    private func ticketKey() async throws -> SymmetricKey {
        if let known = key.withLock({ $0 }) { return known }
        let loaded = SymmetricKey(data: try await store.serverKey(named: "tickets"))
        key.withLock { $0 = loaded }
        return loaded
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
