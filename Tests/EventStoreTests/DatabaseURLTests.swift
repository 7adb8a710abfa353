import EventStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Issue 14 item 7: `sslmode` means what it means to libpq. `require` and `verify-*` never fall back to
/// plaintext, and a mode nobody knows stops the process at start-up instead of quietly meaning `prefer`.
@Suite("DATABASE_URL sslmode")
struct DatabaseURLTests {
    static let base = "postgres://boxoffice@127.0.0.1:5432/boxoffice"

    @Test func everyLibpqModeIsUnderstood() throws {
        let expected: [String: (DatabaseURL.TLSMode, Bool)] = [
            "disable": (.disable, false), "allow": (.allow, false), "prefer": (.prefer, false),
            "require": (.require, true), "verify-ca": (.verifyCA, true), "verify-full": (.verifyFull, true),
        ]
        for (raw, (mode, required)) in expected {
            let url = "\(Self.base)?sslmode=\(raw)"
            #expect(try DatabaseURL.tlsMode(url) == mode)
            #expect(mode.requiresTLS == required, "\(raw)")
            _ = try DatabaseURL.configuration(url)
        }
        #expect(try DatabaseURL.tlsMode(Self.base) == .prefer, "libpq's default")
        _ = try DatabaseURL.configuration("\(Self.base)?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt")
    }

    @Test(arguments: ["requre", "REQUIRE", "on", "true", ""])
    func anUnknownModeIsRefusedWithTheValidOnes(_ raw: String) {
        let error = #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL.configuration("\(Self.base)?sslmode=\(raw)") }
        #expect(
            error?.description.contains("unknown sslmode=\(raw)") == true && error?.description.contains("verify-full") == true,
            "\(String(describing: error))")
    }

    /// The test server has no TLS: `require` must fail to connect where it used to connect in plaintext.
    @Test func requireNeverFallsBackToPlaintext() async throws {
        _ = try await TestDatabase.store()
        let ssl = try await TestDatabase.client.query("SHOW ssl", logger: TestDatabase.logger)
        var serverTLS = ""
        for try await value in ssl.decode(String.self) { serverTLS = value }
        try #require(serverTLS == "off", "this test needs a server without TLS (scripts/test starts one)")

        #expect(try await Self.connects(Self.with(TestDatabase.url, mode: "prefer"), within: .seconds(30)), "prefer still falls back to plaintext")
        for mode in ["require", "verify-ca", "verify-full"] {
            // The pool retries a refused connection rather than failing the query: no answer in 3 s is a refusal.
            let connected = try await Self.connects(Self.with(TestDatabase.url, mode: mode), within: .seconds(3))
            #expect(!connected, "sslmode=\(mode) connected without TLS")
        }
    }

    @Test func theProcessStopsAtStartUpOnAnUnknownMode() async throws {
        let run = try await CommandRun.boxoffice(["migrate"], environment: ["DATABASE_URL": Self.with(TestDatabase.url, mode: "requre")])
        #expect(run.status != 0)
        #expect((run.output + run.errors).contains("unknown sslmode=requre"), "\(run.output)\(run.errors)")
    }

    static func with(_ url: String, mode: String) -> String {
        var components = URLComponents(string: url)!
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "sslmode" } + [URLQueryItem(name: "sslmode", value: mode)]
        return components.string!
    }

    /// Whether `SELECT 1` answers within `limit` on a fresh client for `url`.
    static func connects(_ url: String, within limit: Duration) async throws -> Bool {
        let client = PostgresClient(configuration: try DatabaseURL.configuration(url), backgroundLogger: TestDatabase.logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        do {
            return try await withDeadline(limit) {
                let rows = try await client.query("SELECT 1::int4", logger: TestDatabase.logger)
                for try await one in rows.decode(Int32.self) { return one == 1 }
                return false
            }
        } catch {
            return false
        }
    }
}
