// `attn-gen list`: every catalog kind with its hyperparameters (defaults as the reference code
// has them), and for one input shape its parameter count, FLOPs and scratch, computed by lowering
// the kind with those defaults.

import AttnCEmit
import AttnIR
import AttnLower
import AttnSpec
import Foundation

/// One catalog kind as `attn-gen list` shows it.
package struct CatalogEntry: Sendable {
    package let kind: String
    /// The code whose numbers and state_dict names the kind reproduces.
    package let reference: String
    /// `field=default` (or `field` when it has no default), in the reference's argument names.
    package let hyperparameters: [String]
    /// Fields the listing must fill in because the kind has no default for them.
    let required: [String: JSONValue]

    /// A spec of this kind on `input` with default hyperparameters.
    package func spec(input: InputShape) throws(SpecError) -> BlockSpec {
        var fields: [String: JSONValue] = [
            "name": .string("list_\(kind)"), "kind": .string(kind),
            "input": .object(["n": .int(input.n), "c": .int(input.c), "h": .int(input.h), "w": .int(input.w)]),
        ]
        fields.merge(required) { a, _ in a }
        return try BlockSpec(json: .object(fields))
    }
}

package enum CatalogListing {
    /// Every kind of `CatalogRegistry`, in its order.
    package static let entries: [CatalogEntry] = CatalogRegistry.all.map {
        CatalogEntry(kind: $0.kind, reference: $0.reference, hyperparameters: $0.hyperparameters, required: $0.listingFields)
    }

    /// One line per kind: hyperparameters, then parameters, FLOPs and scratch on `input` (or why
    /// the defaults do not fit that shape).
    package static func text(input: InputShape) -> String {
        var lines = ["catalog at input [\(input.n),\(input.c),\(input.h),\(input.w)] (defaults; FLOPs for all N samples):"]
        for e in entries {
            let hyper = e.hyperparameters.isEmpty ? "no hyperparameters" : e.hyperparameters.joined(separator: ", ")
            lines.append("\(e.kind)  — \(e.reference)")
            lines.append("    \(hyper)")
            do {
                let program = try Lowering.lower(try e.spec(input: input)).program
                lines.append(
                    "    params \(program.paramCount), \(Explain.flopsText(program.flops)), scratch \(CEmitter.scratchSize(program)) floats, output \(program.outputShape)")
            } catch {
                lines.append("    not at this shape: \(error)")
            }
        }
        lines.append("graph ops (for blocks of your own): \(LayerOp.jsonNames.joined(separator: ", "))")
        return lines.joined(separator: "\n") + "\n"
    }
}
