package dev.descent.cuda;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PTX module asks of the driver: its PTX ISA version ({@code .version 9.0}) and target
 * ({@code .target sm_75}). A driver JIT-compiles only the PTX ISA versions its CUDA release
 * knows, so when {@code cuModuleLoadData} refuses our kernels this names the driver found and
 * the one needed, instead of a bare {@code CUDA_ERROR_UNSUPPORTED_PTX_VERSION}.
 */
record PtxRequirement(int isaMajor, int isaMinor, String target) {
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+(\\d+)\\.(\\d+)");
    private static final Pattern TARGET = Pattern.compile("(?m)^\\s*\\.target\\s+(\\S+)");

    static PtxRequirement of(String ptx) {
        Matcher version = VERSION.matcher(ptx);
        Matcher target = TARGET.matcher(ptx);
        if (!version.find() || !target.find()) {
            throw new IllegalArgumentException("PTX module without .version and .target directives");
        }
        return new PtxRequirement(Integer.parseInt(version.group(1)), Integer.parseInt(version.group(2)), target.group(1));
    }

    /**
     * The CUDA release that introduced this PTX ISA version, as {@code cuDriverGetVersion} encodes
     * it (1000 major + 10 minor): ISA 9.0 came with CUDA 13.0, 8.x with 12.x (8.5 with 12.5,
     * 8.7 with 12.8, 8.8 with 12.9), 7.x with 11.x.
     */
    int minimumDriverVersion() {
        if (isaMajor >= 9) {
            return 13000 + 10 * (isaMinor + 10 * (isaMajor - 9));
        }
        if (isaMajor == 8) {
            int minor = isaMinor <= 5 ? isaMinor : isaMinor + 1;  // no ISA 8.6: CUDA 12.6 kept 8.5
            return 12000 + 10 * minor;
        }
        if (isaMajor == 7) {
            return 11000 + 10 * isaMinor;
        }
        return 10000;
    }

    /** "13.0" for 13000. */
    static String release(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    /** The message for a driver that refused this module. */
    String refusal(String module, int driverVersion, String error) {
        String needed = release(minimumDriverVersion());
        if (driverVersion < minimumDriverVersion()) {
            return String.format("CUDA kernels '%s' could not be loaded: they are PTX ISA %d.%d (%s), which needs a driver for CUDA %s"
                            + " or newer, but this driver supports CUDA %s (%s). Update the NVIDIA driver, or rebuild the PTX with an"
                            + " older nvcc (tools/build-ptx.sh).", module, isaMajor, isaMinor, target, needed, release(driverVersion), error);
        }
        return String.format("CUDA kernels '%s' (PTX ISA %d.%d, %s) were refused by a driver for CUDA %s: %s", module, isaMajor, isaMinor,
                target, release(driverVersion), error);
    }
}
