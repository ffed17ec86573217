// `--weights` and `--weights-prefix` against the blocks of a spec file: the one rule the main
// command and `verify` share. A command-line value must never silently give a block another
// block's tensors.

import Foundation

/// The command line's weights file and prefix, applied to a file's blocks.
package struct WeightsOptions: Sendable {
    /// A weights file path relative to the working directory (the spec's own `weights` is
    /// relative to the spec file).
    package var weights: String?
    package var prefix: String?
    /// How messages name the two values: the command line's flags, or the Swift API's argument.
    var labels: (weights: String, prefix: String) = ("--weights", "--weights-prefix")

    package init(weights: String? = nil, prefix: String? = nil) {
        self.weights = weights
        self.prefix = prefix
    }

    /// The blocks with the command line's values in place.
    ///
    /// - `prefix` fills every block without `weights_prefix`; a block whose own prefix differs
    ///   is an error at `blocks[i].weights_prefix` (one prefix cannot select two blocks' tensors).
    /// - `weights` replaces every block's `weights`, unless the blocks name two different files:
    ///   then which file it stands for is ambiguous, an error at the first block that differs.
    package func apply(to blocks: [(path: String, spec: BlockSpec)]) throws(SpecError) -> [(path: String, spec: BlockSpec)] {
        var out = blocks
        if let prefix {
            for i in out.indices {
                if let own = out[i].spec.weightsPrefix, own != prefix {
                    throw SpecError(
                        "weights_prefix",
                        "is \"\(own)\" but \(labels.prefix) is \"\(prefix)\"; it only fills blocks without a prefix of their own"
                    ).within(out[i].path)
                }
                out[i].spec.weightsPrefix = prefix
            }
        }
        if let weights {
            var first: (path: String, file: String)? = nil
            for block in out {
                guard let own = block.spec.weights else { continue }
                guard let f = first else {
                    first = (block.path, own)
                    continue
                }
                if own != f.file {
                    throw SpecError(
                        "weights",
                        "is \"\(own)\" but \(f.path).weights is \"\(f.file)\"; \(labels.weights) \"\(weights)\" cannot replace two different files (name each block's file in the spec, or give \(labels.weights) only for blocks that share one file)"
                    ).within(block.path)
                }
            }
            let path = URL(fileURLWithPath: weights).path
            for i in out.indices { out[i].spec.weights = path }
        }
        return out
    }
}
