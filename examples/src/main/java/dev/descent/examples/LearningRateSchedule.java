package dev.descent.examples;

import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.schedule.CosineAnnealingLR;
import dev.descent.optim.schedule.LRScheduler;
import dev.descent.optim.schedule.LinearLR;
import dev.descent.optim.schedule.MultiStepLR;
import dev.descent.optim.schedule.SequentialLR;

/** The learning-rate schedules of the training commands: warm-up, then cosine, constant or step decay, step by step. */
final class LearningRateSchedule {
    private LearningRateSchedule() {
    }

    /**
     * The learning rate over the run, step by step: the optimizer's rate times {@code factor}
     * (batch / 128 for --scale-lr linear), warmed up linearly over the first {@code warmupEpochs}
     * (Goyal et al.: from the unscaled rate, or from a tenth without scaling), then {@code shape}
     * over the rest: cosine to 0, constant, or step:F@E,... (divided by F from each epoch E). Null
     * when the rate stays as the optimizer has it. {@code stepsPerEpoch} counts each epoch's steps,
     * which differ under a batch schedule.
     */
    static LRScheduler over(Optimizer optimizer, String shape, double factor, int warmupEpochs, int[] stepsPerEpoch) {
        for (ParamGroup group : optimizer.paramGroups()) {
            if (group.has("lr")) {
                group.setLr(group.lr() * factor);
            }
        }
        int[] stepsBefore = new int[stepsPerEpoch.length + 1];   // steps taken before each epoch (from 0) starts
        for (int epoch = 0; epoch < stepsPerEpoch.length; epoch++) {
            stepsBefore[epoch + 1] = stepsBefore[epoch] + stepsPerEpoch[epoch];
        }
        int warmupSteps = stepsBefore[warmupEpochs];
        LRScheduler main;
        if (shape.equals("cosine")) {
            main = new CosineAnnealingLR(optimizer, stepsBefore[stepsPerEpoch.length] - warmupSteps, 0);
        } else if (shape.startsWith("step:")) {
            EpochMilestones decay = EpochMilestones.parse("schedule", shape.substring("step:".length()), stepsPerEpoch.length, false);
            int[] milestones = new int[decay.epochs().length];
            for (int i = 0; i < milestones.length; i++) {
                milestones[i] = stepsBefore[decay.epochs()[i] - 1] - warmupSteps;
            }
            main = new MultiStepLR(optimizer, milestones, 1 / decay.factor());
        } else {
            main = null;
        }
        if (warmupSteps == 0) {
            return main;
        }
        LRScheduler warmup = new LinearLR(optimizer, factor > 1 ? 1 / factor : 0.1, 1, warmupSteps);
        LRScheduler rest = main != null ? main : new LinearLR(optimizer, 1, 1, 1);
        return new SequentialLR(optimizer, new LRScheduler[] {warmup, rest}, new int[] {warmupSteps});
    }
}
