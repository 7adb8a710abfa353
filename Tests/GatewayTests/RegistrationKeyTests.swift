import Foundation
import TestSupport
import Testing

/// Issue 14 item 13: registrations have no principal, so their `Idempotency-Key`s used to share one
/// scope: whoever learned a client's key could use it first and lock that client out of its own retries.
@Suite("Registration idempotency keys")
struct RegistrationKeyTests {
    let harness = Harness()

    @Test func aKeyUsedFirstForAnotherEmailDoesNotLockTheOwnerOut() async throws {
        try await harness.run { api in
            let key = ["Idempotency-Key": "signup-\(UUID().uuidString)"]
            let owner = ["name": "Owner", "email": "Owner.\(UUID().uuidString)@Example.test"]
            let squatter = try await api.call(.post, "/users", json: ["name": "Squatter", "email": "\(UUID().uuidString)@evil.test"], headers: key)
            #expect(squatter.status == 201)

            let registered = try await api.call(.post, "/users", json: owner, headers: key)
            #expect(registered.status == 201, "\(registered.errorCode ?? "") — the key was claimed by another registration")
            #expect(registered.json["token"] is String)
            #expect(registered.json["id"] as? String != squatter.json["id"] as? String)

            // The owner's retry still replays its own registration (without the token, which is never stored)...
            let retry = try await api.call(.post, "/users", json: owner, headers: key)
            #expect(retry.status == 201 && retry.json["id"] as? String == registered.json["id"] as? String)
            #expect(retry.headers[.init("Idempotent-Replayed")!] == "true" && retry.json["token"] == nil)
            // ...also when the email is spelled with other case and spacing: the scope is the normalised address.
            let respelled = try await api.call(
                .post, "/users", json: ["name": "Owner", "email": " " + owner["email"]!.lowercased()],
                headers: key)
            #expect(
                respelled.status == 409 && respelled.errorCode == "idempotency_key_reused",
                "same scope, different body: refused rather than registering again")
        }
    }
}
