import Foundation
import TestSupport
import Testing

@Suite("Postman collection")
struct PostmanCollectionTests {
    /// docs/boxoffice.postman_collection.json is what scripts/postman-collection makes of openapi.json.
    /// python3 is part of the machine's set-up: without it `env` exits 127 and the test fails.
    @Test func theCommittedCollectionIsCurrent() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "scripts/postman-collection", "--check"]
        process.currentDirectoryURL = root
        // A file, not a pipe, as in CommandRun: Foundation watches pipes for exit.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bo-postman-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: ChildExit.wait(process, timeout: 60)) }
        }
        try handle.close()
        let output = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        #expect(status == 0, "python3 scripts/postman-collection --check exited \(status):\n\(output)")
    }
}
