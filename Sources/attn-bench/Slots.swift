// Results of jobs run with DispatchQueue.concurrentPerform, one slot per job, read when all ended.

import Foundation

final class Slots<Value: Sendable>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: Value) { lock.withLock { values[i] = v } }
    func get(_ i: Int) -> Value { lock.withLock { values[i]! } }
}
