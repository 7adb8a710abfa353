import Commands
import Foundation
import Testing

@Suite("User: register")
struct UserDeciderTests {
    func registration(name: String = "Ada Lovelace", email: String = "ada@example.com") -> UserRegistered {
        UserRegistered(userId: "u1", name: name, email: email, tokenHash: String(repeating: "ab", count: 32), registeredAt: t0)
    }

    @Test func registers() throws {
        let events = try UserDecider.decide(.register(registration()), UserState(), now: t0)
        #expect(events == [.registered(registration())])
        #expect(UserDecider.fold(events).user?.email == "ada@example.com")
    }

    @Test(arguments: ["", "  \n"])
    func refusesAnEmptyName(_ name: String) {
        #expect(throws: DomainError.invalid("name must not be empty")) {
            try UserDecider.decide(.register(registration(name: name)), UserState(), now: t0)
        }
    }

    @Test(arguments: [
        "ada.example.com",  // no @
        "ada@example",  // no dot in the domain
        "ada@@example.com",
        "@example.com",
        "ada@.example.com",
        "ada@example.com.",
        "ada @example.com",  // spaces
        " ada@example.com",
        "ada@exam\tple.com",
        "",
        String(repeating: "a", count: 243) + "@example.com",  // 255 characters
    ])
    func refusesAMalformedEmail(_ email: String) {
        #expect(throws: DomainError.invalid("email is not a valid address")) {
            try UserDecider.decide(.register(registration(email: email)), UserState(), now: t0)
        }
    }

    @Test func acceptsAnEmailOfExactly254Characters() throws {
        let email = String(repeating: "a", count: 242) + "@example.com"
        #expect(email.count == 254)
        #expect(try UserDecider.decide(.register(registration(email: email)), UserState(), now: t0).count == 1)
    }

    @Test func refusesRegisteringTwice() {
        let state = given([UserEvent.registered(registration())])
        #expect(throws: DomainError.alreadyExists("user")) {
            try UserDecider.decide(.register(registration(email: "other@example.com")), state, now: t0)
        }
    }

    // Uniqueness is claimed per normalised address, so case and padding must not make a second account.
    @Test(arguments: [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada@example.com\n", "ada@example.com"),
        ("\tADA@EXAMPLE.COM ", "ada@example.com"),
        ("ada@example.com", "ada@example.com"),
    ])
    func normalizedEmailLowercasesAndTrims(_ raw: String, expected: String) {
        #expect(UserDecider.normalizedEmail(raw) == expected)
    }
}
