import Foundation
import Testing

@testable import Webhooks

/// Registration rules of `POST /webhooks` on the in-process router (no host allowed: production rules).
@Suite("Webhook routes", .serialized)
struct WebhookRouteTests {
    @Test func privateAndMalformedTargetsAreRefusedWithoutAnAllowList() async throws {
        try await Harness().run { client in
            for url in [
                "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/", "http://172.20.0.1/", "http://192.168.1.1/",
                "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fd00::1]/", "http://[fe80::1]/",
                "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/", "ftp://example.com/", "not a url",
                "http://user:pass@example.com/", "https://" + String(repeating: "a", count: 2_100) + ".com/",
            ] {
                let answer = try await client.call(.post, "/webhooks", token: Harness.admin, json: ["url": url, "events": ["BookingPlaced"]])
                #expect(answer.status == 400, "\(url.prefix(60)): \(answer.status)")
                #expect(answer.errorCode == "webhook_target_refused", "\(url.prefix(60))")
            }
        }
    }

    @Test func registrationValidatesEventsAndNeverReturnsACallersSecret() async throws {
        try await Harness().run { client in
            for events in [[], ["NoSuchEvent"], ["WebhookRegistered"], Array(repeating: "BookingPlaced", count: 65)] {
                let answer = try await client.call(
                    .post, "/webhooks", token: Harness.admin, json: ["url": "https://example.com/h", "events": events])
                #expect(answer.status == 400 && answer.errorCode == "invalid_request", "\(events.prefix(2))")
            }
            let short = try await client.call(
                .post, "/webhooks", token: Harness.admin, json: ["url": "https://example.com/h", "events": ["*"], "secret": "short"])
            #expect(short.status == 400)

            let secret = "caller-secret-\(UUID().uuidString)"
            let own = try await client.call(
                .post, "/webhooks", token: Harness.admin,
                json: ["url": "https://example.com/hook", "events": ["BookingPlaced", "BookingPlaced"], "secret": secret])
            #expect(own.status == 201)
            #expect(own.json["secret"] == nil && !String(decoding: own.body, as: UTF8.self).contains(secret))
            #expect(own.json["events"] as? [String] == ["BookingPlaced"])
            let id = try #require(own.json["id"] as? String)

            let generated = try await client.call(.post, "/webhooks", token: Harness.admin, json: ["url": "https://example.com/h2", "events": ["*"]])
            #expect(generated.status == 201)
            let generatedSecret = try #require(generated.json["secret"] as? String)
            #expect(generatedSecret.hasPrefix("whsec_"))

            let shown = try await client.call(.get, "/webhooks/\(id)", token: Harness.admin)
            #expect(shown.status == 200 && shown.json["url"] as? String == "https://example.com/hook")
            let list = try await client.call(.get, "/webhooks", token: Harness.admin)
            let text = String(decoding: list.body, as: UTF8.self)
            #expect(list.status == 200 && text.contains(id))
            #expect(!text.contains(secret) && !text.contains(generatedSecret), "no secret is listed")

            #expect(try await client.call(.delete, "/webhooks/\(id)", token: Harness.admin).status == 204)
            #expect(try await client.call(.delete, "/webhooks/\(id)", token: Harness.admin).status == 404)
            let after = try await client.call(.get, "/webhooks", token: Harness.admin)
            #expect(!String(decoding: after.body, as: UTF8.self).contains(id))
            #expect(try await client.call(.get, "/webhooks/whk_unknown", token: Harness.admin).status == 404)
            #expect(try await client.call(.get, "/webhooks", token: nil).status == 401)
        }
    }

    @Test func signaturesBackOffAndAddressRules() throws {
        let body = Data(#"{"id":1}"#.utf8)
        let signature = WebhookSignature.sign(secret: "s3cret-0123456789", timestamp: 1_700_000_000, body: body)
        #expect(signature.hasPrefix("v1=") && signature.count == 3 + 64)
        #expect(WebhookSignature.verify(secret: "s3cret-0123456789", timestamp: 1_700_000_000, body: body, signature: signature))
        #expect(!WebhookSignature.verify(secret: "s3cret-0123456789", timestamp: 1_700_000_001, body: body, signature: signature))
        #expect(!WebhookSignature.verify(secret: "other-0123456789", timestamp: 1_700_000_000, body: body, signature: signature))

        let settings = WebhookSettings(targets: WebhookTargets(allowedHosts: []), baseBackoff: .seconds(1), maxBackoff: .seconds(60))
        #expect(settings.backoff(afterAttempts: 1, random: 1) == .seconds(1))
        #expect(settings.backoff(afterAttempts: 3, random: 1) == .seconds(4))
        #expect(settings.backoff(afterAttempts: 3, random: 0) == .seconds(2))
        #expect(settings.backoff(afterAttempts: 40, random: 1) == .seconds(60))

        let open = WebhookTargets(allowedHosts: ["127.0.0.1", "Hooks.Internal"])
        #expect(throws: Never.self) { try open.check(url: "http://127.0.0.1:9000/x") }
        #expect(throws: Never.self) { try open.check(url: "http://hooks.internal/x") }
        #expect(throws: WebhookTargets.Refused.self) { try open.check(url: "http://127.0.0.2/x") }
        #expect(throws: Never.self) { try open.check(url: "https://example.com/x") }
        let strict = WebhookTargets(allowedHosts: ["127.0.0.1"], onlyAllowed: true)
        #expect(throws: WebhookTargets.Refused.self) { try strict.check(url: "https://example.com/x") }
        #expect(throws: Never.self) { try strict.check(url: "http://127.0.0.1:1/x") }
        for address in ["8.8.8.8", "2001:4860:4860::8888", "1.1.1.1"] { #expect(IPAddress(address)?.isPublic == true, "\(address)") }
        for address in ["10.0.0.1", "172.31.255.255", "192.168.0.1", "127.0.0.1", "169.254.1.1", "::1", "fc00::1", "fe80::1", "::ffff:10.0.0.1"] {
            #expect(IPAddress(address)?.isPublic == false, "\(address)")
        }
    }
}
