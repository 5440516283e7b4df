package dev.descent.cuda;

import java.util.concurrent.atomic.LongAdder;

/** The running totals behind {@link DeviceActivity}; every launch and copy path of a device adds to them. */
final class ActivityCounters {
    private final LongAdder kernelLaunches = new LongAdder();
    private final LongAdder hostToDeviceCopies = new LongAdder();
    private final LongAdder hostToDeviceBytes = new LongAdder();
    private final LongAdder deviceToHostCopies = new LongAdder();
    private final LongAdder deviceToHostBytes = new LongAdder();
    private final LongAdder synchronizations = new LongAdder();

    void kernelLaunch() {
        kernelLaunches.increment();
    }

    void hostToDevice(long bytes) {
        hostToDeviceCopies.increment();
        hostToDeviceBytes.add(bytes);
    }

    void deviceToHost(long bytes) {
        deviceToHostCopies.increment();
        deviceToHostBytes.add(bytes);
    }

    void synchronization() {
        synchronizations.increment();
    }

    DeviceActivity snapshot() {
        return new DeviceActivity(kernelLaunches.sum(), hostToDeviceCopies.sum(), hostToDeviceBytes.sum(), deviceToHostCopies.sum(),
                deviceToHostBytes.sum(), synchronizations.sum());
    }
}
