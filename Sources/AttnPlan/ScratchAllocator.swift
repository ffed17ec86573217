// Scratch as a first-fit heap of float ranges, for the storage pass.

/// First-fit allocation of float ranges in scratch.
struct ScratchAllocator {
    private var live: [Int: Range<Int>] = [:]
    private var next = 0
    private(set) var highWater = 0

    mutating func allocate(_ size: Int) -> Int {
        let taken = live.values.sorted { $0.lowerBound < $1.lowerBound }
        var start = 0
        for r in taken {
            if start + size <= r.lowerBound { break }
            start = max(start, r.upperBound)
        }
        let handle = next
        next += 1
        live[handle] = start..<start + size
        highWater = max(highWater, start + size)
        return handle
    }

    func offset(of handle: Int) -> Int { live[handle]!.lowerBound }

    mutating func free(_ handle: Int) { live[handle] = nil }
}
