import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An IP address as 128 bits, IPv4 mapped into IPv6 (`::ffff:a.b.c.d`), so that the spellings of one
/// address compare equal and one type holds both families.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    var high: UInt64
    var low: UInt64

    /// Parses `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:443`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<end])
        } else if text.contains("."), let colon = text.firstIndex(of: ":"), text.filter({ $0 == ":" }).count == 1 {
            text = String(text[..<colon])
        }
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            high = 0
            low = 0x0000_FFFF_0000_0000 | UInt64(UInt32(bigEndian: v4.s_addr))
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        } else {
            return nil
        }
    }

    var isV4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The first `bits` bits of the address, the rest zero (bits count in the 128-bit form).
    func masked(_ bits: Int) -> IPAddress {
        var copy = self
        copy.high = bits >= 64 ? high : (bits <= 0 ? 0 : high & ~(UInt64.max >> bits))
        copy.low = bits >= 128 ? low : (bits <= 64 ? 0 : low & ~(UInt64.max >> (bits - 64)))
        return copy
    }

    /// What a rate limit counts against: one IPv4 address, or an IPv6 /64 (one subscriber usually holds a
    /// whole /64, so counting single IPv6 addresses would give one client billions of buckets).
    var bucket: IPAddress { isV4 ? self : masked(64) }

    public var description: String {
        if isV4 { return (0..<4).map { String(low >> (24 - 8 * $0) & 0xFF) }.joined(separator: ".") }
        return (0..<8).map { String((($0 < 4 ? high : low) >> (48 - 16 * ($0 % 4))) & 0xFFFF, radix: 16) }.joined(separator: ":")
    }
}

/// The proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var network: IPAddress
        var bits: Int
    }

    /// A `TRUSTED_PROXIES` entry that is neither an address nor a CIDR range.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    var ranges: [Range] = []

    /// None: `X-Forwarded-For` is ignored and every request counts against its peer address.
    public init() {}

    /// Parses a comma-separated list such as `10.0.0.0/8, 192.168.1.7, fd00::/8`.
    public init(parsing list: String) throws(Invalid) {
        for entry in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = IPAddress(parts[0]) else {
                throw Invalid(description: "TRUSTED_PROXIES: \(entry) is not an IP address or CIDR range")
            }
            let maxBits = address.isV4 ? 32 : 128
            let bits = parts.count == 2 ? Int(parts[1]) : maxBits
            guard let bits, (0...maxBits).contains(bits) else {
                throw Invalid(description: "TRUSTED_PROXIES: \(entry) has a prefix length outside 0…\(maxBits)")
            }
            let total = address.isV4 ? bits + 96 : bits
            ranges.append(Range(network: address.masked(total), bits: total))
        }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    func contains(_ address: IPAddress) -> Bool {
        ranges.contains { address.masked($0.bits) == $0.network }
    }

    /// The client a request counts against: the peer, unless the peer is a trusted proxy; then the
    /// right-most `X-Forwarded-For` hop that is not a trusted proxy. Hops left of it were written by
    /// the client itself and prove nothing, so they are never read.
    func client(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard var client = peer, contains(client) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed().prefix(32) {
            guard let address = IPAddress(hop) else { break }
            client = address
            if !contains(address) { break }
        }
        return client
    }
}
