// swift-tools-version:6.1
import PackageDescription

// One typed pipeline: spec (AttnSpec) → IR (AttnIR, via AttnLower) → plan (AttnPlan) → C (AttnCEmit) → JIT (AttnJIT).
// AttnInterp is the reference semantics; AttnNative (system compiler tier) and AttnFootprint (size model) sit
// beside them; AttnGen joins the halves and is what users import.
let package = Package(
    name: "attn-gen",
    products: [
        .library(name: "AttnGen", targets: ["AttnGen"]),
        .executable(name: "attn-gen", targets: ["attn-gen"]),
        .executable(name: "attn-bench", targets: ["attn-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .target(name: "AttnIR"),
        .target(name: "AttnJSON"),
        .target(name: "AttnSpec", dependencies: ["AttnIR", "AttnJSON"]),
        .target(name: "AttnWeights", dependencies: ["AttnJSON"]),
        .target(name: "AttnLower", dependencies: ["AttnSpec", "AttnIR", "AttnPlan"]),
        .target(name: "AttnInterp", dependencies: ["AttnIR"]),
        .target(name: "AttnTemplates", path: "Templates", exclude: ["README.md"], resources: [.copy("c")]),
        .target(name: "AttnPlan", dependencies: ["AttnIR"]),
        .target(name: "AttnCEmit", dependencies: ["AttnIR", "AttnPlan", "AttnTemplates"]),
        .systemLibrary(name: "CTCC", providers: [.apt(["libtcc-dev", "tcc"])]),
        .target(name: "AttnJIT", dependencies: ["CTCC"]),
        .target(name: "AttnNative"),
        .target(name: "AttnFootprint", dependencies: ["AttnIR", "AttnCEmit"]),
        // int8 blocks from a .tflite model, bit-exact with TensorFlow Lite Micro (import-tflite).
        .target(name: "AttnTFLite"),
        .target(
            name: "AttnGen",
            dependencies: [
                "AttnIR", "AttnSpec", "AttnWeights", "AttnLower", "AttnInterp", "AttnCEmit", "AttnJIT", "AttnNative",
                "AttnFootprint", "AttnPlan",
            ]
        ),
        .executableTarget(
            name: "attn-gen",
            dependencies: ["AttnGen", "AttnTFLite", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "AttnIRTests", dependencies: ["AttnIR"]),
        .testTarget(name: "AttnWeightsTests", dependencies: ["AttnWeights"]),
        .testTarget(name: "AttnJITTests", dependencies: ["AttnJIT"]),
        .testTarget(name: "AttnTFLiteTests", dependencies: ["AttnTFLite", "AttnNative", "AttnJIT", "AttnFootprint"]),
        .testTarget(name: "AttnGenTests", dependencies: ["AttnGen"]),
        .executableTarget(name: "attn-bench", dependencies: ["AttnGen", "AttnTFLite"]),
        .testTarget(name: "CLITests", dependencies: ["attn-gen"]),
        .testTarget(name: "HardeningTests", dependencies: ["AttnGen", "attn-gen"]),
        .testTarget(name: "EmbeddedTests", dependencies: ["AttnGen", "AttnTFLite", "attn-gen"]),
    ]
)
