/** Training utilities beside the layers, as {@code torch.nn.utils}: gradient clipping by norm or value, and early stopping. */
package dev.descent.nn.utils;
