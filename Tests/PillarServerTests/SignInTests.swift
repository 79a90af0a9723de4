import Crypto
import Foundation
import PillarCore
import PillarStore
import Testing

@testable import PillarServer

/// The parts of browser sign-in that need no identity provider; the flow itself, against a real OpenID provider
/// over HTTPS, is `tests/python/test_sign_in.py`.
@Suite struct SignInTests {
    /// RFC 7636 Appendix B's example.
    @Test func theCodeChallengeIsRFC7636S256() {
        #expect(
            SignInService.codeChallenge(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test(arguments: [nil, "", "/", "/console/", "/console/#/keys", "/?a=b&c=d"])
    func pathsOnThisServerAreWhereASignInMayReturn(_ value: String?) throws {
        #expect(try SignInService.checkedReturnTo(value) == ((value ?? "").isEmpty ? "/" : value!))
    }

    @Test(arguments: [
        "//evil.example", "/\\evil.example", "https://evil.example/", "evil", "/a b", "/a\nb", "/\u{7F}",
        "/" + String(repeating: "a", count: 2048),
    ])
    func anywhereElseIsRefused(_ value: String) {
        #expect(throws: PillarError.self) { try SignInService.checkedReturnTo(value) }
    }

    @Test func tokensCompareInConstantTimeAndExactly() {
        #expect(SignInService.constantTimeEqual("abc", "abc"))
        #expect(!SignInService.constantTimeEqual("abc", "abd"))
        #expect(!SignInService.constantTimeEqual("abc", "abcd"))
        #expect(!SignInService.constantTimeEqual("", "a"))
    }

    @Test func formEncodingLeavesOnlyUnreservedASCII() {
        #expect(OIDCProviderClient.formEncode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
    }

    @Test func aPendingSignInIsUsedOnceAndNotAfterItExpires() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sign-in-\(UUID().uuidString)").path
        let database = try PillarDatabase(
            dataDirectory: directory, masterKey: MasterKey(key: SymmetricKey(size: .bits256), source: "test"))
        let repository = SQLiteSignInRepository(database: database)
        let now = Date()
        try await repository.insertPending(
            PendingSignIn(stateHash: "fresh", codeVerifier: "v", nonce: "n", returnTo: "/", createdAt: now))
        try await repository.insertPending(
            PendingSignIn(stateHash: "stale", codeVerifier: "v", nonce: "n", returnTo: "/", createdAt: now - 700))
        let cutoff = now - SignInService.pendingLifetime
        #expect(try await repository.takePending(stateHash: "fresh", notBefore: cutoff)?.codeVerifier == "v")
        #expect(try await repository.takePending(stateHash: "fresh", notBefore: cutoff) == nil)
        #expect(try await repository.takePending(stateHash: "stale", notBefore: cutoff) == nil)
    }

    @Test func sessionsKeepTheirTokensEncryptedAndEndedOnesAreSweptAway() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sign-in-\(UUID().uuidString)").path
        let database = try PillarDatabase(
            dataDirectory: directory, masterKey: MasterKey(key: SymmetricKey(size: .bits256), source: "test"))
        _ = try await SQLiteTenantRepository(database: database).ensureTenant("acme")
        let repository = SQLiteSignInRepository(database: database)
        let now = Date()
        func session(_ id: String, created: Date, expires: Date) -> SignInSession {
            SignInSession(
                idHash: id, tenant: "acme", subject: "oidc:x:alice", roles: [.admin], groups: ["eng"], issuer: "https://idp",
                csrfToken: "c", createdAt: created, lastSeenAt: created, expiresAt: expires, renewAt: expires,
                refreshToken: "refresh-token-secret", idToken: "id.token.secret")
        }
        try await repository.insertSession(session("old", created: now - 7200, expires: now - 60))
        try await repository.insertSession(session("live", created: now, expires: now + 3600))
        #expect(try await repository.session(idHash: "old") == nil, "an ended session is removed when another starts")
        let live = try #require(try await repository.session(idHash: "live"))
        #expect(live.refreshToken == "refresh-token-secret" && live.idToken == "id.token.secret")
        #expect(live.roles == [.admin] && live.groups == ["eng"] && live.principal.method == .session)
        // The rows may still be in the write-ahead log: both files are read.
        let stored = [database.path, database.path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
        #expect(stored.contains { $0.range(of: Data("alice".utf8)) != nil }, "the check reads the rows it looks for")
        for file in stored {
            #expect(file.range(of: Data("refresh-token-secret".utf8)) == nil, "the refresh token is not stored in clear")
        }
        #expect(try await repository.deleteSession(idHash: "live")?.subject == "oidc:x:alice")
        #expect(try await repository.session(idHash: "live") == nil)
    }
}
