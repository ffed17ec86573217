// The view pass: a slice, or a reshape of densely stored NCHW data, is read in place from its
// operand's storage. Whether a reshape's operand is dense is known only once layouts exist, so
// here every reshape is a candidate, which only lengthens its operand's life; the storage pass
// turns back the ones whose operand is not dense.

import AttnIR

/// Per value id: true when the value is planned as a view of its first operand.
package struct ViewCandidates: Sendable {
    let isView: [Bool]

    subscript(_ v: ValueID) -> Bool { isView[v] }
}

func findViews(_ p: Program) -> ViewCandidates {
    var isView = Array(repeating: false, count: p.instrs.count + 1)
    for id in 1...p.instrs.count where id != p.output { isView[id] = p.instrs[id - 1].op.traits.mayBeView }
    return ViewCandidates(isView: isView)
}
