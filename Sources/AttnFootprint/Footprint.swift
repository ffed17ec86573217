// Flash and RAM of a generated block, from the spec alone: no compiler runs.
//
// RAM   = I/O + scratch. I/O is input + output floats × 4, or the larger of the two when the
//         header says NAME_OUTPUT_MAY_ALIAS_INPUT (the caller then passes one buffer as both);
//         scratch is the emitter's plan (NAME_SCRATCH_SIZE floats × 4).
// Flash = weights (NAME_PARAMS_SIZE floats × 4, exact) + other const arrays in the .c (golden
//         vectors of a self-test, tables; exact) + code (CodeSizeModel's estimate).
// The stack the kernel uses (a few dozen bytes of locals and saved registers) and the caller's
// own code are not counted.

import AttnCEmit
import AttnIR
import Foundation

/// Memory of one generated block on a microcontroller.
public struct Footprint: Sendable {
    /// The block's name.
    public let name: String
    /// Floats in the input tensor.
    public let inputFloats: Int
    /// Floats in the output tensor.
    public let outputFloats: Int
    /// Floats of scratch the MCU code needs.
    public let scratchFloats: Int
    /// Floats in the parameter array.
    public let paramFloats: Int
    /// The kernel allows `output == input`: RAM holds one tensor, not two.
    public let outputMayAliasInput: Bool
    package let features: CodeFeatures
    /// The model `codeBytes` is estimated with.
    public let model: CodeSizeModel

    /// The footprint of `source`, generated from `program`, on the core `model` describes.
    public init(program: Program, source: CSource, model: CodeSizeModel = .cortexM4F) {
        name = program.name
        inputFloats = program.input.count
        outputFloats = program.outputShape.count
        scratchFloats = source.embeddedScratchSize
        paramFloats = program.paramCount
        outputMayAliasInput = Self.headerSaysOutputMayAliasInput(source.header, macroPrefix: program.name.uppercased())
        features = CodeFeatures(source)
        self.model = model
    }

    /// Bytes of the input tensor.
    public var inputBytes: Int { inputFloats * 4 }
    /// Bytes of the output tensor.
    public var outputBytes: Int { outputFloats * 4 }
    /// Bytes of scratch.
    public var scratchBytes: Int { scratchFloats * 4 }
    /// Input and output buffers: one tensor when the output may alias the input.
    public var ioBytes: Int { outputMayAliasInput ? max(inputBytes, outputBytes) : inputBytes + outputBytes }
    /// RAM: I/O plus scratch.
    public var ramBytes: Int { ioBytes + scratchBytes }

    /// The parameter array, exact.
    public var weightBytes: Int { paramFloats * 4 }
    /// Other const arrays the .c defines (self-test vectors), exact.
    public var constantBytes: Int { features.constantBytes }
    /// Estimated code bytes.
    public var codeBytes: Int { model.estimate(features) }
    /// Flash: weights, constants and code.
    public var flashBytes: Int { weightBytes + constantBytes + codeBytes }

    /// True when the header defines `<PREFIX>_OUTPUT_MAY_ALIAS_INPUT` as anything but 0.
    package static func headerSaysOutputMayAliasInput(_ header: String, macroPrefix: String) -> Bool {
        let macro = "\(macroPrefix)_OUTPUT_MAY_ALIAS_INPUT"
        for line in header.split(separator: "\n") {
            let t = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard t.count >= 2, t[0] == "#define", t[1] == macro else { continue }
            guard t.count >= 3, !t[2].hasPrefix("/*") else { return true }
            return !(t[2] == "0" || t[2] == "(0)" || t[2] == "0u")
        }
        return false
    }
}

/// RAM and flash limits; an overrun is an error naming the budget and the excess.
public struct Budget: Sendable {
    /// The RAM cap in bytes, if any.
    public var maxRAM: Int?
    /// The flash cap in bytes, if any.
    public var maxFlash: Int?
    /// How the user wrote the limits (`64K`), echoed in messages.
    public var ramText: String?
    /// The flash cap as the user wrote it, for messages.
    public var flashText: String?

    /// Caps in bytes, with the text the user wrote for each.
    public init(maxRAM: Int? = nil, maxFlash: Int? = nil, ramText: String? = nil, flashText: String? = nil) {
        self.maxRAM = maxRAM
        self.maxFlash = maxFlash
        self.ramText = ramText
        self.flashText = flashText
    }

    /// One message per exceeded limit of an int8 kernel.
    public func overruns(_ f: Int8Footprint) -> [String] {
        let io = f.outputMayAliasInput ? "one in-place tensor" : "input + output"
        return messages(
            f.name, ram: f.ramBytes, flash: f.flashBytes,
            ramDetail: "\(io) \(ByteCount.grouped(f.ioBytes)) B + scratch \(ByteCount.grouped(f.scratchBytes)) B + stack ≤ \(Int8Footprint.stackBytes) B",
            flashDetail: "constants \(ByteCount.grouped(f.constantBytes)) B + code ~\(ByteCount.grouped(f.codeBytes)) B")
    }

    /// One message per exceeded limit.
    public func overruns(_ f: Footprint) -> [String] {
        let io = f.outputMayAliasInput ? "one in-place tensor" : "input + output"
        return messages(
            f.name, ram: f.ramBytes, flash: f.flashBytes,
            ramDetail: "\(io) \(ByteCount.grouped(f.ioBytes)) B + scratch \(ByteCount.grouped(f.scratchBytes)) B",
            flashDetail: "weights \(ByteCount.grouped(f.weightBytes)) B + code ~\(ByteCount.grouped(f.codeBytes)) B"
                + (f.constantBytes > 0 ? " + constants \(ByteCount.grouped(f.constantBytes)) B" : ""))
    }

    private func messages(_ name: String, ram: Int, flash: Int, ramDetail: String, flashDetail: String) -> [String] {
        var out: [String] = []
        func check(_ what: String, _ flag: String, _ text: String?, _ used: Int, _ limit: Int?, _ detail: String) {
            guard let limit, used > limit else { return }
            let given = text.map { $0 == String(limit) ? "\($0) B" : "\($0) (\(ByteCount.grouped(limit)) B)" }
                ?? "\(ByteCount.grouped(limit)) B"
            out.append(
                "\(name): \(what) \(ByteCount.grouped(used)) B is over \(flag) \(given) by "
                    + "\(ByteCount.grouped(used - limit)) B (\(detail))")
        }
        check("RAM", "--max-ram", ramText, ram, maxRAM, ramDetail)
        check("flash", "--max-flash", flashText, flash, maxFlash, flashDetail)
        return out
    }
}
