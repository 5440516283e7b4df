package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.data.DataLoader;
import dev.descent.nn.Module;
import dev.descent.optim.Optimizer;
import dev.descent.optim.schedule.LRScheduler;

/**
 * Everything a training run changes as it goes, which a checkpoint must capture for a resumed run
 * to continue exactly: the model's parameters and buffers, the optimizer's state, the schedule
 * (null without one), the data loader's position (its shuffling generator included), the
 * generators of dropout and augmentation, and the metrics so far. The weights' own generator is
 * not here: it is spent when the model is built, and the checkpoint holds the weights themselves.
 */
record TrainingState(Module model, Optimizer optimizer, LRScheduler scheduler, DataLoader loader, Generator dropout,
                     Generator augmentation, RunHistory history) {
}
