/**
 * Data loading beside the layers (as torch.utils.data sits beside torch.nn): Dataset, DataLoader, the IDX reader, MNIST and Fashion-MNIST, transforms and augmentation. Arrives with the data issue.
 */
package dev.descent.data;
