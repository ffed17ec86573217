// Where the repository's folders are, found from this file so tests run from any directory.

import Foundation

enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let generated = root.appendingPathComponent("Generated")
    static let fixtures = root.appendingPathComponent("Tests/Fixtures")

    static func fixtureNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("\($0)/spec.json").path)
        }.sorted()
    }
}
