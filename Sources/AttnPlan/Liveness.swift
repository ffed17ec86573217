// The liveness pass: the last step at which each value is read, and the groups of instructions
// that run in one loop nest and so free their inputs together.

import AttnIR

struct Liveness {
    /// Per value id: the last instruction that reads it, directly or through inline values and
    /// views (itself when nothing does).
    let lastUse: [ValueID]
    /// Per value id: the last member of its emission group; nothing the group's inputs used may
    /// be freed until the whole group has its buffers.
    let groupEnd: [ValueID]
}

func liveness(_ p: Program, users: [[ValueID]], inline: InlineChoice, views: ViewCandidates, fusion: Fusion) -> Liveness {
    // An inline value is read where its readers run, so what it reads must stay live that long.
    var lastUse = Array(0...p.instrs.count)
    for v in stride(from: p.instrs.count, through: 0, by: -1) {
        for u in users[v] { lastUse[v] = max(lastUse[v], inline[u] || views[u] ? lastUse[u] : u) }
    }
    var groupEnd = Array(0...p.instrs.count)
    var g = 1
    while g <= p.instrs.count {
        let group = emissionGroup(p, startingAt: g, fusion: fusion)
        for m in group { groupEnd[m] = group.last! }
        g = group.last! + 1
    }
    return Liveness(lastUse: lastUse, groupEnd: groupEnd)
}
