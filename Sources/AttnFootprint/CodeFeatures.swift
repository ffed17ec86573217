// What the code-size model reads from a generated .c: the emitter's own count of the C an MCU
// compiler sees (`CodeCount`, kept by the printer as it prints), so nothing lexes the file again.

import AttnCEmit

/// Counts over the MCU-visible code of one generated .c file.
package typealias CodeFeatures = CodeCount

extension CodeCount {
    /// The feature vector the linear model multiplies, in `CodeSizeModel.coefficients` order.
    package var vector: [Double] { [1, Double(tokens), Double(loops), Double(branches), Double(helperCalls), Double(expfCalls)] }

    /// The emitter's count for `source`, which must hold MCU code (the portable or MCU target).
    package init(_ source: CSource) {
        guard let count = source.mcuCount else {
            preconditionFailure("\(source.name): a \(source.target) file holds no MCU code to estimate; generate it portable or for mcu")
        }
        self = count
    }
}
