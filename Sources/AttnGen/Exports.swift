// What `import AttnGen` gives: the product, not the internals. The DSL, the spec types and the IR
// users see (AttnSpec, AttnIR) are exported whole; from the other modules only the types the
// public API hands out or throws. The emitter, lowering, interpreter, templates, tcc wrapper and
// safetensors reader are `package`: the CLI, attn-bench and the tests import them by name.

@_exported import AttnIR
@_exported import AttnSpec
@_exported import struct AttnCEmit.CSource
@_exported import enum AttnCEmit.EmitTarget
@_exported import struct AttnFootprint.Budget
@_exported import enum AttnPlan.Fusion
@_exported import struct AttnFootprint.CodeSizeModel
@_exported import struct AttnFootprint.Footprint
@_exported import struct AttnJIT.JITError
@_exported import struct AttnNative.ISALevel
@_exported import struct AttnNative.NativeCompiler
@_exported import struct AttnNative.NativeError
@_exported import struct AttnWeights.WeightsError

