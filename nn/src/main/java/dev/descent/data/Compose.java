package dev.descent.data;

import dev.descent.core.NDArray;
import java.util.List;

/** Transforms applied in order: {@code new Compose(new ToTensor(), new Normalize(0.1307, 0.3081))}. */
public final class Compose implements Transform {
    private final List<Transform> transforms;

    public Compose(Transform... transforms) {
        this.transforms = List.of(transforms);
    }

    @Override
    public NDArray apply(NDArray input) {
        NDArray x = input;
        Transform previous = null;
        for (Transform t : transforms) {
            // ToTensor returns a new array that no one else holds, so Normalize may work in it: one array less per batch
            x = t instanceof Normalize normalize && previous instanceof ToTensor ? normalize.applyInPlace(x) : t.apply(x);
            previous = t;
        }
        return x;
    }

    public List<Transform> transforms() {
        return transforms;
    }
}
