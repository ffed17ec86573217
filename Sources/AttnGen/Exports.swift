// The one module users import: the DSL, the IR, the interpreter, the emitter and the JIT.

@_exported import AttnCEmit
@_exported import AttnFootprint
@_exported import AttnIR
@_exported import AttnInterp
@_exported import AttnJIT
@_exported import AttnLower
@_exported import AttnNative
@_exported import AttnSpec
@_exported import AttnWeights
@_exported import AttnTemplates
