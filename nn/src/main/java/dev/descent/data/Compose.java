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
        for (Transform t : transforms) {
            x = t.apply(x);
        }
        return x;
    }

    public List<Transform> transforms() {
        return transforms;
    }
}
