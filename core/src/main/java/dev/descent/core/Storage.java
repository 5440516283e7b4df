package dev.descent.core;

/**
 * A flat buffer of elements owned by one backend. An {@link NDArray} is a strided view of a
 * storage; several arrays (views) may share one. Backends create storages and are the only code
 * that reads their contents.
 */
public interface Storage {
    /** The device the buffer lives on. */
    Device device();

    /** The element type. */
    DType dtype();

    /** The number of elements. */
    int size();
}
