import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where webhooks may be delivered: no server-side request forgery. A target is refused when its host is
/// loopback, private, link-local or otherwise not public, unless that host is in the configured allow-list
/// (`WEBHOOK_ALLOWED_HOSTS`; the tests allow `127.0.0.1`). A name is checked again at delivery time
/// against every address it resolves to, so a public-looking name that points inside is refused too.
public struct WebhookTargets: Sendable {
    /// Hosts allowed even when private or loopback, lower-cased.
    public let allowedHosts: Set<String>
    /// Whether only `allowedHosts` may be targets, public hosts included (`WEBHOOK_ONLY_ALLOWED_HOSTS`):
    /// a strict allow-list, and what test runs use so that nothing is ever sent off the machine.
    public let onlyAllowed: Bool
    /// Longest URL accepted.
    public static let maxURLLength = 2_048

    public init(allowedHosts: [String], onlyAllowed: Bool = false) {
        self.allowedHosts = Set(allowedHosts.map { Self.normalized($0) }.filter { !$0.isEmpty })
        self.onlyAllowed = onlyAllowed
    }

    /// Why a target is refused.
    public struct Refused: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The URL's host when the URL may be registered; `Refused` otherwise.
    @discardableResult
    public func check(url text: String) throws -> String {
        guard text.utf8.count <= Self.maxURLLength, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let rawHost = url.host, !rawHost.isEmpty
        else { throw Refused(reason: "url must be an absolute http or https URL of at most \(Self.maxURLLength) characters") }
        guard url.user == nil, url.password == nil else { throw Refused(reason: "url must not carry credentials") }
        let host = Self.normalized(rawHost)
        if allowedHosts.contains(host) { return host }
        if onlyAllowed { throw Refused(reason: "target host \(host) is not in the allowed hosts") }
        if host == "localhost" || host.hasSuffix(".localhost") || host.hasSuffix(".local") || host.hasSuffix(".internal") {
            throw Refused(reason: "target host \(host) is not public")
        }
        if let address = IPAddress(host), !address.isPublic { throw Refused(reason: "target address \(host) is not public") }
        return host
    }

    /// Checks the URL and every address its host resolves to (at delivery time).
    public func checkResolved(url text: String) async throws {
        let host = try check(url: text)
        guard !allowedHosts.contains(host), IPAddress(host) == nil else { return }
        let addresses = try await Self.resolve(host)
        guard !addresses.isEmpty else { throw Refused(reason: "target host \(host) does not resolve") }
        if let inside = addresses.first(where: { !$0.isPublic }) {
            throw Refused(reason: "target host \(host) resolves to \(inside), which is not public")
        }
    }

    static func normalized(_ host: String) -> String {
        var host = host.trimmingCharacters(in: .whitespaces).lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }

    /// The addresses of a name; getaddrinfo blocks, so it runs off the cooperative pool.
    static func resolve(_ host: String) async throws -> [IPAddress] {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var result: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else {
                    continuation.resume(throwing: Refused(reason: "target host \(host) does not resolve"))
                    return
                }
                defer { freeaddrinfo(first) }
                var addresses: [IPAddress] = []
                var next: UnsafeMutablePointer<addrinfo>? = first
                while let entry = next {
                    if let address = IPAddress(entry.pointee.ai_addr) { addresses.append(address) }
                    next = entry.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }
}
