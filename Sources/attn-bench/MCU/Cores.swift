// The Cortex-M cores the MCU count runs on: QEMU's board for each, the compiler flags a device
// build would use, and the linker script that places code and data on that board.

struct Core: Sendable {
    /// Short name, as `--cores` takes it.
    let name: String
    /// The column heading.
    let label: String
    /// `qemu-system-arm -M` board.
    let machine: String
    /// arm-none-eabi-gcc flags for the core (the FPU and ISA extensions it has).
    let cflags: [String]
    /// Under scripts/embedded/.
    let linkerScript: String

    /// M0 has no FPU (soft float); M4F and M7 single-precision FPUs with the DSP extension; M55
    /// Helium (MVE) with floating point, which gcc vectorises for at -O3.
    static let all: [Core] = [
        Core(name: "m0", label: "M0", machine: "microbit", cflags: ["-mcpu=cortex-m0", "-mfloat-abi=soft", "-O2"],
            linkerScript: "microbit.ld"),
        Core(name: "m3", label: "M3", machine: "mps2-an385", cflags: ["-mcpu=cortex-m3", "-mfloat-abi=soft", "-O2"],
            linkerScript: "mps2-an386.ld"),
        Core(name: "m4f", label: "M4F", machine: "mps2-an386",
            cflags: ["-mcpu=cortex-m4", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-O2"], linkerScript: "mps2-an386.ld"),
        Core(name: "m7", label: "M7", machine: "mps2-an500",
            cflags: ["-mcpu=cortex-m7", "-mfloat-abi=hard", "-mfpu=fpv5-d16", "-O2"], linkerScript: "mps2-an386.ld"),
        Core(name: "m55", label: "M55", machine: "mps3-an547", cflags: ["-mcpu=cortex-m55", "-mfloat-abi=hard", "-O3"],
            linkerScript: "mps3-an547.ld"),
    ]
}
