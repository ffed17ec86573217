// Median-of-k timing. Warm up, size batches so one timed sample is at least 50 µs (the clock's
// cost and jitter vanish), collect samples until the time budget is spent, take the median:
// robust to the odd preempted sample on a shared machine. Nothing is pinned.

import Dispatch
import Foundation

/// What a timed sample counts: elapsed time, or the calling thread's CPU time (`--clock cpu`),
/// which leaves out the time a thread waits for a core on a machine shared with other work.
enum BenchClock: String, Codable {
    case wall, cpu

    func now() -> UInt64 {
        switch self {
        case .wall: return DispatchTime.now().uptimeNanoseconds
        case .cpu:
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
        }
    }
}

enum Stopwatch {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Median seconds per call of `body`; the warm-up and the time budget are elapsed time, each
    /// sample is measured on `clock`.
    static func median(seconds: Double, clock: BenchClock = .wall, minSamples: Int = 5, _ body: () -> Void) -> Double {
        let warm = now()
        body()
        while Double(now() - warm) < min(0.02, seconds / 4) * 1e9 { body() }
        let t0 = now()
        body()
        let one = max(Double(now() - t0), 1)
        let batch = max(1, Int(50_000 / one))
        var samples: [Double] = []
        let begin = now()
        while samples.count < minSamples || Double(now() - begin) < seconds * 1e9 {
            let start = clock.now()
            for _ in 0..<batch { body() }
            samples.append(Double(clock.now() - start) / Double(batch) / 1e9)
        }
        return medianOf(samples)
    }

    /// Median seconds per call of each of `bodies`, sampled in turn (one sample of each, then the
    /// next round) until each has had `seconds` of elapsed time and `minSamples` samples, so that
    /// all of them are measured over the same stretch of time: on a machine shared with other
    /// work, a slow spell then lands on each of them alike rather than on whichever ran during it.
    /// With several bodies, each timed sample follows one untimed call of the same body, so it
    /// starts with its own working set as cached as its size allows, not the previous body's.
    static func medians(seconds: Double, clock: BenchClock = .wall, minSamples: Int = 5, _ bodies: [() -> Void]) -> [Double] {
        let batches = bodies.map { body -> Int in
            let warm = now()
            body()
            while Double(now() - warm) < min(0.02, seconds / 4) * 1e9 { body() }
            let t0 = now()
            body()
            return max(1, Int(50_000 / max(Double(now() - t0), 1)))
        }
        var samples = [[Double]](repeating: [], count: bodies.count)
        let begin = now()
        let budget = seconds * Double(bodies.count) * 1e9
        while samples[0].count < minSamples || Double(now() - begin) < budget {
            for (i, body) in bodies.enumerated() {
                if bodies.count > 1 { body() }
                let start = clock.now()
                for _ in 0..<batches[i] { body() }
                samples[i].append(Double(clock.now() - start) / Double(batches[i]) / 1e9)
            }
        }
        return samples.map(medianOf)
    }

    /// Median seconds of `repeats` runs of `body`, each timed alone (for one-off work: compiles).
    static func medianOfRuns(_ repeats: Int, clock: BenchClock = .wall, _ body: () throws -> Void) rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) {
            let start = clock.now()
            try body()
            samples.append(Double(clock.now() - start) / 1e9)
        }
        return medianOf(samples)
    }

    static func medianOf(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
