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
    package static let entries: [CatalogEntry] = [
        CatalogEntry(kind: "se", reference: "timm SEModule", hyperparameters: ["reduction=16", "reduced_channels", "bias=true"], required: [:]),
        CatalogEntry(kind: "se_var1", reference: "ECA-Net ablation (GAP, sigmoid)", hyperparameters: [], required: [:]),
        CatalogEntry(kind: "se_var2", reference: "ECA-Net ablation (one weight per channel)", hyperparameters: [], required: [:]),
        CatalogEntry(kind: "se_var3", reference: "ECA-Net ablation (one C×C FC)", hyperparameters: [], required: [:]),
        CatalogEntry(kind: "se_gc", reference: "ECA-Net ablation (grouped FC)", hyperparameters: ["groups (required)"], required: ["groups": .int(4)]),
        CatalogEntry(kind: "eca", reference: "timm EcaModule", hyperparameters: ["kernel_size=from C (gamma 2, b 1)"], required: [:]),
        CatalogEntry(kind: "cbam", reference: "timm CbamModule / Jongchan CBAM", hyperparameters: ["reduction=16", "reduced_channels", "spatial_kernel_size=7", "bias=false"], required: [:]),
        CatalogEntry(kind: "bam", reference: "Jongchan BAM (product form)", hyperparameters: ["reduction=16", "reduced_channels", "dilation_val=4", "dilation_conv_num=2"], required: [:]),
        CatalogEntry(
            kind: "sk", reference: "timm SelectiveKernel",
            hyperparameters: ["out_channels=C", "kernel_size=[3,5]", "stride=1", "dilation=1", "groups=1", "reduction=16", "reduced_channels", "rd_divisor=8", "keep_3x3=true", "split_input=true"],
            required: [:]),
        CatalogEntry(kind: "danet_pam", reference: "DANet PAM_Module", hyperparameters: [], required: [:]),
        CatalogEntry(kind: "danet_cam", reference: "DANet CAM_Module", hyperparameters: [], required: [:]),
        CatalogEntry(kind: "scconv", reference: "SCNet SCConv", hyperparameters: ["pooling_r=4", "stride=1", "padding=1", "dilation=1", "groups=1"], required: [:]),
        CatalogEntry(kind: "psa", reference: "EPSANet PSAModule", hyperparameters: ["planes=C", "conv_kernels=[3,5,7,9]", "conv_groups=[1,4,8,16]", "stride=1"], required: [:]),
        CatalogEntry(kind: "emsa", reference: "ResT Attention", hyperparameters: ["num_heads=8", "sr_ratio=1", "qkv_bias=false", "apply_transform=false"], required: [:]),
        CatalogEntry(kind: "external_attention", reference: "EANet External_attention", hyperparameters: ["S=64"], required: [:]),
        CatalogEntry(kind: "fusion", reference: "seed 000 multi-input fusion", hyperparameters: ["inputs=3", "reduction=16", "reduced_channels", "gate=softmax", "interaction=false"], required: [:]),
    ]

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
        return lines.joined(separator: "\n") + "\n"
    }
}
