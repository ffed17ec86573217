// Found by the seeded fuzz run once it compiled accepted specs with gcc -Werror: an upsample
// whose operand has an axis of extent 1 declared that axis's index table and never read it
// (-Werror=unused-variable), so `attn-gen` wrote C that the README's flags refuse.

import AttnGen
import AttnInterp
import Foundation
import Testing

@Suite struct UnusedTableTests {
    @Test(arguments: [(1, 1, [1, 1]), (1, 3, [2, 3]), (3, 1, [3, 2]), (2, 2, [4, 4])])
    func upsampleTablesAreOnlyDeclaredWhenRead(_ h: Int, _ w: Int, _ size: [Int]) throws {
        let spec = BlockSpec(
            name: "up", input: .nchw(1, 2, h, w),
            body: .graph([Layer(.pool2d(.max, kernelSize: 1, stride: 1)), Layer(.upsampleNearest(h: size[0], w: size[1]))]))
        let kernel = try Kernel(spec, weights: .random(seed: 1), useCache: false)
        let gcc = NativeCompiler(command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1"])
        let native = try NativeKernel(sameAs: kernel, compiler: gcc, useCache: false)
        let x = kernel.program.randomInput(seed: 2)
        let y = try Interpreter.run(kernel.program, input: x, params: kernel.params)
        #expect(try Comparison(try native(x), reference: y).within(CrossCheck.tolerance))
        #expect(try CrossCheck.check(kernel, input: x).passed)
    }
}
