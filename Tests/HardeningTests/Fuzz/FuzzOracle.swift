// What must hold for any input bytes, beyond "does not crash": the checks both fuzzers run.
// Each returns the properties that failed (empty when all hold); the libFuzzer entries turn a
// failure into a crash so the input is saved, the tests record it.

import AttnGen
import AttnCEmit
import AttnInterp
import AttnWeights
import Foundation

enum FuzzOracle {
    /// Outcome counts, to show the inputs reached past the decoder.
    struct Tally: CustomStringConvertible {
        var inputs = 0
        var refusedByDecoder = 0
        var refusedLater = 0
        var generated = 0
        var interpreted = 0
        var compiled = 0
        /// When set, the message of every refusal is kept (for replaying one input).
        var keepMessages = false
        var messages: [String] = []

        mutating func refused(_ message: String) {
            if keepMessages { messages.append(message) }
        }

        var description: String {
            "\(inputs) inputs: \(refusedByDecoder) refused by the decoder, \(refusedLater) later, \(generated) generated C, \(interpreted) also interpreted, \(compiled) also compiled and compared"
        }
    }

    /// Largest program the oracle also runs through the interpreter (a rough count of
    /// multiply-adds), so one input never takes long.
    static let interpreterBudget = 200_000

    /// Spec bytes → decode → (round trip) → lower → emit C (→ interpret when small; with
    /// `compile`, also → libtcc → run against the interpreter). Every outcome is a SpecError or
    /// C that holds the rules, whatever names the spec gives. Returns the specs that generated.
    @discardableResult
    static func checkSpec(
        _ bytes: [UInt8], _ tally: inout Tally, violations: inout [String], compile: Bool = false
    ) -> [Generated] {
        tally.inputs += 1
        let specs: [BlockSpec]
        do {
            specs = try BlockSpec.decodeFile(Data(bytes))
        } catch {
            tally.refusedByDecoder += 1
            tally.refused(error.description)
            if error.description.isEmpty { violations.append("an empty decode error") }
            return []
        }
        var out: [Generated] = []
        for var spec in specs {
            // Round trip: the canonical JSON decodes to the same value.
            if (try? BlockSpec.decodeFile(Data(spec.canonicalJSON.utf8))) != [spec] {
                violations.append("round trip changed \(spec.canonicalJSON)")
            }
            // Weights are the other fuzzer's business; a spec naming any file must not make this
            // one read the disk.
            spec.weights = nil
            spec.weightsPrefix = nil
            let generated: Generated
            do {
                generated = try Pipeline.generate(spec)
            } catch {
                tally.refusedLater += 1
                tally.refused(error.description)
                if error.message.isEmpty { violations.append("an empty error at \(error.path)") }
                continue
            }
            tally.generated += 1
            violations += checkGenerated(generated)
            if let ops = cost(generated.program), ops <= interpreterBudget {
                tally.interpreted += 1
                let program = generated.program
                // The program's own sizes: the interpreter cannot refuse them.
                let y = try! Interpreter.run(program, input: program.randomInput(seed: 3), params: program.randomParams(seed: 4))
                if y.count != program.outputShape.count { violations.append("interpreter gave \(y.count) values for \(program.outputShape)") }
                if compile {
                    tally.compiled += 1
                    violations += checkCompiled(generated, seed: UInt64(tally.inputs))
                }
            }
            out.append(generated)
        }
        // The blocks of one file, as `attn-gen` writes them: refused together when their global
        // names meet, else their headers must define disjoint names (checked on the text).
        if specs.count > 1 && out.count == specs.count {
            do {
                try Pipeline.checkGlobalNames(out)
                violations += checkDisjointGlobals(out)
            } catch {
                tally.refusedLater += 1
                tally.refused(error.description)
                if !error.path.hasPrefix("blocks[") { violations.append("a collision error without the block: \(error)") }
            }
        }
        return out
    }

    /// The C of `g`, compiled by libtcc with seeded random weights, against the interpreter.
    static func checkCompiled(_ g: Generated, seed: UInt64) -> [String] {
        let kernel: Kernel
        do {
            kernel = try Kernel(g.spec, weights: .random(seed: seed), useCache: false)
        } catch {
            return ["accepted spec whose C does not compile: \(error)\n\(g.source.jitSource)"]
        }
        do {
            let result = try CrossCheck.check(kernel, input: kernel.program.randomInput(seed: seed &+ 7))
            return result.passed ? [] : ["C and interpreter disagree: \(result)"]
        } catch {
            return ["the kernel refused its own program's input: \(error)"]
        }
    }

    /// Every file name and file-scope name the blocks' headers define, case-folded, appears in
    /// one block only: read from the text, independently of the rule that refuses collisions.
    static func checkDisjointGlobals(_ blocks: [Generated]) -> [String] {
        var owner: [String: String] = [:]
        var bad: [String] = []
        for g in blocks {
            var names = Set(g.source.files.map { $0.name.lowercased() })
            for line in g.source.header.split(separator: "\n") {
                let words = line.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
                if line.hasPrefix("#define "), words.count > 1 { names.insert(words[1].lowercased()) }
                if line.hasPrefix("void ") || line.hasPrefix("int ") || line.hasPrefix("extern ") {
                    if let symbol = words.first(where: { $0.hasPrefix(g.program.name + "_") }) { names.insert(symbol.lowercased()) }
                }
            }
            for n in names {
                if let other = owner[n], other != g.program.name { bad.append("blocks \(other) and \(g.program.name) both define \(n)") }
                owner[n] = g.program.name
            }
        }
        return bad
    }

    /// Rules every emitted file must follow, whatever the spec.
    static func checkGenerated(_ g: Generated) -> [String] {
        var bad: [String] = []
        let p = g.program
        let name = p.name
        if !isCIdentifier(name) { bad.append("generated for name \(name.debugDescription)") }
        for (file, text) in g.source.files {
            if file != "\(name).h" && file != "\(name).c" { bad.append("file name \(file.debugDescription)") }
            if !text.hasPrefix(generatedMarker) { bad.append("\(file) lacks the DO NOT EDIT header") }
            // The spec is echoed in the first comment: nothing in it may close that comment early.
            if let close = text.range(of: "*/"), let layout = text.range(of: "Layout: NCHW"), close.lowerBound < layout.lowerBound,
                file.hasSuffix(".h")
            {
                bad.append("\(file): the spec comment closes early")
            }
        }
        if !g.source.header.contains("void \(name)_forward(const float *input, float *output, const float *params, float *scratch);") {
            bad.append("\(name).h lacks the prototype")
        }
        for v in [p.input] + p.instrs.map(\.shape) where !fitsInt32(v.dims) {
            bad.append("a value of shape \(v) passed 32-bit indexing")
        }
        for decl in p.params where !fitsInt32(decl.dims) { bad.append("parameter \(decl.name) \(decl.dims) passed 32-bit indexing") }
        // Every loop bound, offset and size the C spells is an `int`.
        if g.source.scratchSize > Limits.maxElements { bad.append("scratch of \(g.source.scratchSize) floats passed 32-bit indexing") }
        for (file, text) in g.source.files {
            if let big = largestIntegerLiteral(text), big > Limits.maxElements { bad.append("\(file) spells the integer \(big), past int") }
        }
        if let params = g.params, params.count != p.paramCount || !params.allSatisfy(\.isFinite) {
            bad.append("imported \(params.count) parameters for \(p.paramCount), or some not finite")
        }
        return bad
    }

    /// The largest decimal integer literal in C code, comments skipped (the spec echoed in the
    /// header may hold any number); digits inside float literals and identifiers do not count.
    static func largestIntegerLiteral(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        var largest: Int? = nil
        var i = 0
        func isWord(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 122) || b == 95 || b == 46 }
        while i < bytes.count {
            if bytes[i] == 47, i + 1 < bytes.count, bytes[i + 1] == 42 {  // /* ... */
                i += 2
                while i + 1 < bytes.count, !(bytes[i] == 42 && bytes[i + 1] == 47) { i += 1 }
                i += 2
                continue
            }
            guard bytes[i] >= 48, bytes[i] <= 57, i == 0 || !isWord(bytes[i - 1]) else { i += 1; continue }
            var j = i
            var value = 0
            var overflow = false
            while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(bytes[j] - 48))
                overflow = overflow || o1 || o2
                value = a
                j += 1
            }
            // A float (1.5, 1e9, 2.f) or a hex number is not an int literal.
            if j < bytes.count, [46, 101, 69, 120, 88, 102, 70].contains(bytes[j]) { i = j + 1; continue }
            let v = overflow ? Int.max : value
            largest = max(largest ?? v, v)
            i = j
        }
        return largest
    }

    static func fitsInt32(_ dims: [Int]) -> Bool {
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 1, !overflow, product <= Int(Int32.max) else { return false }
            count = product
        }
        return true
    }

    /// Operations the interpreter spends, roughly (the IR's cost model plus one pass over the
    /// input); nil when huge.
    static func cost(_ p: Program) -> Int? {
        let (total, overflow) = p.flops.addingReportingOverflow(p.input.count)
        return overflow || total > interpreterBudget ? nil : total
    }

    // MARK: weights

    /// Weights bytes → parse → every accessor → each block the tensor names suggest, through the
    /// whole pipeline from a file in `directory`.
    static func checkWeights(_ bytes: [UInt8], in directory: URL, _ tally: inout Tally, violations: inout [String]) {
        tally.inputs += 1
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(bytes: bytes, source: "fuzz.safetensors")
        } catch {
            tally.refusedByDecoder += 1
            tally.refused(error.description)
            if !error.description.hasPrefix("fuzz.safetensors: ") { violations.append("error without the file: \(error)") }
            return
        }
        for name in file.names() {
            guard let t = try? file.tensor(name) else {
                violations.append("listed tensor \(name.debugDescription) is missing")
                continue
            }
            if t.bytes.count != t.elementCount * t.dtype.byteSize || t.elementCount != t.shape.reduce(1, *) {
                violations.append("tensor \(name.debugDescription) holds \(t.bytes.count) bytes for \(t.dtype) \(t.shape)")
            }
            if t.dtype.isFloatingPoint {
                if (try? file.floats(name))?.count != t.elementCount { violations.append("floats of \(name.debugDescription)") }
            } else if (try? file.floats(name)) != nil {
                violations.append("an integer tensor read as floats")
            }
        }
        let path = directory.appendingPathComponent("w.safetensors")
        guard (try? Data(bytes).write(to: path)) != nil else {
            violations.append("cannot write \(path.path)")
            return
        }
        for spec in candidateSpecs(file) {
            do {
                let generated = try Pipeline.generate(spec, baseDirectory: directory)
                tally.generated += 1
                violations += checkGenerated(generated)
                if generated.params == nil { violations.append("weights given but none imported") }
                if !generated.source.source.contains("const float \(spec.name)_params[") {
                    violations.append("weights not baked into \(spec.name).c")
                }
            } catch {
                tally.refusedLater += 1
                tally.refused(error.description)
                if error.message.isEmpty { violations.append("an empty error at \(error.path)") }
            }
        }
    }

    /// Blocks that could read this file: the kind each recognised tensor name belongs to, with
    /// the prefix in front of it and C from its shape.
    static func candidateSpecs(_ file: SafeTensorsFile) -> [BlockSpec] {
        candidateSpecs(names: file.names(), shape: { file.tensors[$0]?.shape }, weights: "w.safetensors")
    }

    /// The same, for any file's tensor names and shapes, read from `weights`.
    static func candidateSpecs(names: [String], shape: (String) -> [Int]?, weights: String) -> [BlockSpec] {
        let suffixes: [(suffix: String, kind: String)] = [
            ("fc1.weight", "se"), ("fc.0.weight", "se"), ("conv.weight", "eca"), ("channel.fc1.weight", "cbam"),
            ("ChannelGate.mlp.1.weight", "cbam"), ("fc.weight", "graph"),
        ]
        var specs: [BlockSpec] = []
        for name in names {
            for (suffix, kind) in suffixes where name.hasSuffix(suffix) && specs.count < 4 {
                let prefix = String(name.dropLast(suffix.count))
                let dims = shape(name) ?? []
                let fromShape = dims.count >= 2 && (1...256).contains(dims[1]) ? dims[1] : 16
                let c = kind == "eca" ? 16 : fromShape
                let body: BlockSpec.Body
                switch kind {
                case "se": body = .block(SEOptions())
                case "eca": body = .block(ECAOptions())
                case "cbam": body = .block(CBAMOptions())
                default:
                    body = .graph([
                        Layer(.globalPool(.mean)), Layer(.linear(outFeatures: c, bias: true, param: "fc")),
                        Layer(.batchNorm(param: "bn", eps: 1e-5)), Layer(.sigmoid), Layer(.mul, inputs: ["x"]),
                    ])
                }
                specs.append(BlockSpec(
                    name: "w\(specs.count)", input: .nchw(1, c, 3, 4), body: body, weights: weights,
                    weightsPrefix: prefix.isEmpty ? nil : prefix))
            }
        }
        return specs
    }
}
