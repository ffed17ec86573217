// `--weights` and `--weights-prefix`, shared by the main command and `verify`.

import ArgumentParser
import AttnGen

struct WeightsFlags: ParsableArguments {
    @Option(
        help: """
            weights file with the state_dict, safetensors or torch.save (.pth) (relative to the working directory); replaces the \
            blocks' "weights" unless they name two different files.
            """)
    var weights: String?

    @Option(help: "Prefix selecting the tensors in a whole-network checkpoint, for blocks without a \"weights_prefix\".")
    var weightsPrefix: String?

    var options: WeightsOptions { WeightsOptions(weights: weights, prefix: weightsPrefix) }
    var isEmpty: Bool { weights == nil && weightsPrefix == nil }
}
