package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.NDArray;

/**
 * Pixel values 0..255 to FLOAT32 in [0, 1], with a channel dimension: an image [H, W] becomes
 * [1, H, W] and a stack of images [N, H, W] becomes [N, 1, H, W] (as torchvision's ToTensor).
 */
public final class ToTensor implements Transform {
    @Override
    public NDArray apply(NDArray input) {
        if (input.rank() != 2 && input.rank() != 3) {
            throw new IllegalArgumentException("ToTensor: expected an image [H, W] or images [N, H, W], got shape "
                    + java.util.Arrays.toString(input.shape()));
        }
        // always a new array: astype returns a FLOAT32 input itself, which must not be divided in place
        NDArray scaled = input.dtype() == DType.FLOAT32 ? input.div(255) : input.astype(DType.FLOAT32).divi(255);
        return scaled.unsqueeze(input.rank() - 2);
    }
}
