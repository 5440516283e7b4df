package dev.descent.cuda;

import dev.descent.core.Device;

/**
 * How much work a CUDA device was given since the program started: kernel launches, copies from
 * the host and back (with their bytes), and waits for the device. A training step that reads
 * nothing back shows no device-to-host copies and no synchronizations; the difference of two
 * snapshots ({@link #minus}) measures a stretch of work.
 *
 * <pre>{@code
 * DeviceActivity before = DeviceActivity.of(Device.cuda(0));
 * // ... 100 training steps ...
 * System.out.println(DeviceActivity.of(Device.cuda(0)).minus(before).perStep(100));
 * }</pre>
 */
public record DeviceActivity(long kernelLaunches, long hostToDeviceCopies, long hostToDeviceBytes, long deviceToHostCopies,
                             long deviceToHostBytes, long synchronizations) {
    /** The totals of {@code device} so far. */
    public static DeviceActivity of(Device device) {
        return CudaBackendProvider.runtime(device).counters().snapshot();
    }

    /** The work done between {@code earlier} and this snapshot. */
    public DeviceActivity minus(DeviceActivity earlier) {
        return new DeviceActivity(kernelLaunches - earlier.kernelLaunches, hostToDeviceCopies - earlier.hostToDeviceCopies,
                hostToDeviceBytes - earlier.hostToDeviceBytes, deviceToHostCopies - earlier.deviceToHostCopies,
                deviceToHostBytes - earlier.deviceToHostBytes, synchronizations - earlier.synchronizations);
    }

    /** This activity and {@code other}'s together ({@code other} may be null). */
    public DeviceActivity plus(DeviceActivity other) {
        if (other == null) {
            return this;
        }
        return new DeviceActivity(kernelLaunches + other.kernelLaunches, hostToDeviceCopies + other.hostToDeviceCopies,
                hostToDeviceBytes + other.hostToDeviceBytes, deviceToHostCopies + other.deviceToHostCopies,
                deviceToHostBytes + other.deviceToHostBytes, synchronizations + other.synchronizations);
    }

    /** "per step: 61.0 kernel launches, 0.00 host-to-device copies (0 B), ..." over {@code steps} steps. */
    public String perStep(long steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("DeviceActivity.perStep: steps must be positive, got " + steps);
        }
        double n = steps;
        return String.format("per step: %.1f kernel launches, %.3f host-to-device copies (%s), %.3f device-to-host copies (%s),"
                        + " %.3f synchronizations", kernelLaunches / n, hostToDeviceCopies / n, CachingAllocator.describe(hostToDeviceBytes / steps),
                deviceToHostCopies / n, CachingAllocator.describe(deviceToHostBytes / steps), synchronizations / n);
    }
}
