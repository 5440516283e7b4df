package dev.descent.optim;

import dev.descent.core.NDArray;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of an optimizer, as {@code torch.optim}'s state dict: the hyperparameters of each
 * group with the indices of its parameters (numbered across groups in order), and each
 * parameter's state arrays (moments, momentum buffers, step counts) by index. The arrays are
 * copies, so training can resume exactly from a snapshot.
 */
public record OptimizerState(List<Map<String, Object>> paramGroups, Map<Integer, Map<String, NDArray>> state) {
}
