// A kernel and its same-size triad timed in alternating samples of one loop, so that both see the
// same load on a shared machine and the same cache state: each timed sample is preceded by one
// untimed call of the same function, so it starts with its own working set as cached as its size
// allows (L2 when it fits, else L3) — warm for both, never one warm and one cold. The statistic is
// the minimum (and the 10th percentile) per-call time: other work on the machine only ever adds
// time, so the low tail is what the code itself costs.

/// Per-call times of one kernel and the triad beside it, seconds.
struct PairedTimes: Codable {
    var level: String
    var kernel: Double
    var kernelP10: Double
    var triad: Double
    var triadP10: Double
    /// Median over rounds of kernel ÷ triad of the same round (each pair measured back to back);
    /// over several buffer sets, the lowest set's.
    var pairedRatio: Double
    var rounds: Int
}

extension PairedTimes {
    /// Several measurements of one pair (fresh buffers each) as one: the lowest of each statistic.
    static func best(of shares: [PairedTimes]) -> PairedTimes {
        PairedTimes(
            level: shares[0].level, kernel: shares.map(\.kernel).min()!, kernelP10: shares.map(\.kernelP10).min()!,
            triad: shares.map(\.triad).min()!, triadP10: shares.map(\.triadP10).min()!,
            pairedRatio: shares.map(\.pairedRatio).min()!, rounds: shares.map(\.rounds).reduce(0, +))
    }
}

enum Interleaved {
    /// Fresh buffer sets per pair (`Measure`): the minimum over each set's share of the time.
    static let allocations = 3

    /// Alternating samples of `kernel` and `triad` until `seconds` of elapsed time and at least
    /// `minRounds` rounds; each sample a batch of calls lasting about `sampleSeconds`.
    static func measure(
        level: String, seconds: Double, clock: BenchClock, minRounds: Int = 20, sampleSeconds: Double = 50e-6,
        kernel: () -> Void, triad: () -> Void
    ) -> PairedTimes {
        func batchSize(_ body: () -> Void) -> Int {
            for _ in 0..<3 { body() }
            let t0 = Stopwatch.now()
            body()
            return max(1, Int(sampleSeconds * 1e9 / max(Double(Stopwatch.now() - t0), 1)))
        }
        let (kb, tb) = (batchSize(kernel), batchSize(triad))
        // Each sample is read on the elapsed-time clock and on `clock`. The minimum and the 10th
        // percentile come from elapsed time: a sample that another process interrupted is never
        // the lowest, and a guest's thread CPU clock can stand still across a scheduler tick and
        // make up for it in a later sample (seen on a KVM guest: one 13 µs sample in 200,000 read
        // zero), which a minimum would pick. The per-round ratio, a median, reads `clock`.
        func sample(_ body: () -> Void, _ batch: Int) -> (elapsed: Double, onClock: Double) {
            body()
            let (start, startOn) = (Stopwatch.now(), clock.now())
            for _ in 0..<batch { body() }
            let (end, endOn) = (Stopwatch.now(), clock.now())
            let scale = Double(batch) * 1e9
            return (Double(end - start) / scale, Double(endOn &- startOn) / scale)
        }
        var ks: [Double] = [], ts: [Double] = [], ratios: [Double] = []
        let begin = Stopwatch.now()
        while ks.count < minRounds || Double(Stopwatch.now() - begin) < seconds * 1e9 {
            // Alternate which goes first, so neither always follows the other's cache footprint.
            let k: (elapsed: Double, onClock: Double), t: (elapsed: Double, onClock: Double)
            if ks.count % 2 == 0 {
                k = sample(kernel, kb)
                t = sample(triad, tb)
            } else {
                t = sample(triad, tb)
                k = sample(kernel, kb)
            }
            ks.append(k.elapsed)
            ts.append(t.elapsed)
            if k.onClock > 0 && t.onClock > 0 { ratios.append(k.onClock / t.onClock) }
        }
        if ratios.isEmpty { ratios = zip(ks, ts).map { $0 / $1 } }
        return PairedTimes(
            level: level, kernel: ks.min()!, kernelP10: percentile(ks, 0.1), triad: ts.min()!,
            triadP10: percentile(ts, 0.1), pairedRatio: Stopwatch.medianOf(ratios), rounds: ks.count)
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
}
