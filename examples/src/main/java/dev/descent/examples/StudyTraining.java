package dev.descent.examples;

import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.LRScheduler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training configuration of a study, trained epoch by epoch on the study's data with the
 * same seeds as every other configuration (weights, data order, dropout), so that the runs
 * differ only in what the study varies. What it records is a {@link Curve}.
 */
final class StudyTraining {
    /**
     * What a study varies: the model, the optimizer's specification, the batch and its growth,
     * the learning-rate schedule (cosine, constant or step:F@E,...), the factor on the optimizer's
     * rate, and the warm-up epochs.
     */
    record Configuration(String label, MnistModels.Spec model, String optimizer, int batch, EpochMilestones batchSchedule, String schedule,
                         double lrFactor, int warmupEpochs, double clipGradNorm) {
        /** Without gradient clipping. */
        Configuration(String label, MnistModels.Spec model, String optimizer, int batch, EpochMilestones batchSchedule, String schedule,
                      double lrFactor, int warmupEpochs) {
            this(label, model, optimizer, batch, batchSchedule, schedule, lrFactor, warmupEpochs, 0);
        }

        /** The batch of {@code epoch} (from 0). */
        int batchAt(int epoch) {
            return batchSchedule == null ? batch : (int) Math.round(batch * batchSchedule.multiplierAt(epoch + 1));
        }

        Map<String, Object> settings() {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", model.describe());
            settings.put("optimizer", optimizer);
            settings.put("batch", batch);
            settings.put("batchSchedule", batchSchedule == null ? "none" : batchSchedule.toString());
            settings.put("schedule", schedule);
            settings.put("lrFactor", lrFactor);
            settings.put("warmupEpochs", warmupEpochs);
            settings.put("clipGradNorm", clipGradNorm);
            return settings;
        }
    }

    /**
     * A configuration's run: test accuracy and mean training loss after each epoch, the parameter
     * updates made by then, its training time, why it stopped early (null when it did not), the
     * loss of every step, and when recorded every step's gradient norm of each Linear layer.
     */
    record Curve(Configuration configuration, List<Double> testAccuracy, List<Double> trainLoss, List<Long> updates, double seconds,
                 String stopped, List<Double> stepLoss, List<String> layerNames, List<Integer> layerSizes, List<double[]> layerGradNorms,
                 List<Double> trainAccuracy, List<Double> testLoss, List<Long> evaluations, List<Double> fullTrainLoss) {
        /**
         * Per step, the root mean square of each layer's weight gradient (its L2 norm over the square
         * root of its size), which compares layers of different sizes: the input layer of 784 x 128
         * weights against the output layer of 128 x 10.
         */
        List<double[]> layerGradRms() {
            return layerGradNorms.stream().map(norms -> {
                double[] rms = new double[norms.length];
                for (int i = 0; i < norms.length; i++) {
                    rms[i] = norms[i] / Math.sqrt(layerSizes.get(i));
                }
                return rms;
            }).toList();
        }

        double finalAccuracy() {
            return testAccuracy.isEmpty() || stopped != null ? Double.NaN : testAccuracy.get(testAccuracy.size() - 1);
        }

        long totalUpdates() {
            return updates.isEmpty() ? 0 : updates.get(updates.size() - 1);
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>(configuration.settings());
            map.put("testAccuracy", testAccuracy);
            map.put("trainLoss", trainLoss);
            map.put("trainAccuracy", trainAccuracy);
            map.put("testLoss", testLoss);
            map.put("evaluations", evaluations);
            map.put("fullTrainLoss", fullTrainLoss);
            map.put("updates", updates);
            map.put("seconds", seconds);
            map.put("stopped", stopped);
            return map;
        }
    }

    private StudyTraining() {
    }

    /** Trains {@code configuration} for {@code epochs} on {@code train}, evaluating on {@code test} after each epoch. */
    static Curve run(Configuration configuration, Dataset train, Dataset test, int epochs, long seed, Device device) {
        return run(configuration, train, test, epochs, seed, device, false, false);
    }

    /**
     * As {@link #run(Configuration, Dataset, Dataset, int, long, Device)}, recording each layer's
     * gradient norm at every step when asked ({@code layerNorms}), and the loss on the whole
     * training set after each epoch ({@code fullTrainLoss}: one more pass, in eval mode).
     */
    static Curve run(Configuration configuration, Dataset train, Dataset test, int epochs, long seed, Device device, boolean layerNorms,
                     boolean fullTrainLoss) {
        return train(configuration, train, test, epochs, seed, device, layerNorms, fullTrainLoss).curve();
    }

    /** A run's curve and the model it trained. */
    record Trained(Curve curve, Sequential model) {
    }

    /** As {@link #run(Configuration, Dataset, Dataset, int, long, Device, boolean, boolean)}, keeping the trained model. */
    static Trained train(Configuration configuration, Dataset train, Dataset test, int epochs, long seed, Device device, boolean layerNorms,
                         boolean fullTrainLoss) {
        Generator dropout = new Generator(seed + 1);
        Sequential model = configuration.model().create(new Generator(seed), dropout);
        model.to(device);
        Optimizer optimizer = Optimizers.create(configuration.optimizer(), model.parameters());
        boolean onGpu = !device.equals(Device.CPU);
        DataLoader loader = new DataLoader(train, configuration.batch()).shuffle(new Generator(seed + 3)).prefetch(!onGpu);
        if (configuration.batchSchedule() != null) {
            loader.batchSizeSchedule(configuration::batchAt);
        }
        int[] stepsPerEpoch = new int[epochs];
        for (int epoch = 0; epoch < epochs; epoch++) {
            int size = configuration.batchAt(epoch);
            stepsPerEpoch[epoch] = (train.size() + size - 1) / size;
        }
        LRScheduler schedule = LearningRateSchedule.over(optimizer, configuration.schedule(), configuration.lrFactor(), configuration.warmupEpochs(),
                stepsPerEpoch);
        Trainer trainer = new Trainer(model, optimizer, schedule, device).sameStartForEveryEvaluation(dropout).eager();
        if (layerNorms) {
            trainer.recordLayerGradientNorms();
        }
        if (configuration.clipGradNorm() > 0) {
            trainer.clipGradNorm(configuration.clipGradNorm());
        }
        DataLoader testLoader = new DataLoader(test, 1000).prefetch(!onGpu);
        List<Double> accuracy = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        List<Double> trainAccuracy = new ArrayList<>();
        List<Double> testLoss = new ArrayList<>();
        List<Long> evaluations = new ArrayList<>();
        List<Double> wholeSet = new ArrayList<>();
        DataLoader trainingSet = fullTrainLoss ? new DataLoader(train, 1000).prefetch(!onGpu) : null;
        List<Long> updates = new ArrayList<>();
        double seconds = 0;
        long steps = 0;
        String stopped = null;
        try {
            for (int epoch = 0; epoch < epochs; epoch++) {
                Trainer.EpochResult result = trainer.trainEpoch(loader, null);
                seconds += result.seconds();
                steps += stepsPerEpoch[epoch];
                Trainer.Evaluation evaluation = trainer.evaluate(testLoader, 10);
                accuracy.add(evaluation.accuracy());
                testLoss.add(evaluation.meanLoss());
                loss.add(result.meanLoss());
                trainAccuracy.add(result.accuracy());
                evaluations.add(trainer.evaluations);
                if (trainingSet != null) {
                    wholeSet.add(trainer.evaluate(trainingSet, 10).meanLoss());
                }
                updates.add(steps);
            }
        } catch (TrainingDivergedException e) {
            stopped = e.getMessage();
        } finally {
            trainer.close();
        }
        return new Trained(new Curve(configuration, accuracy, loss, updates, seconds, stopped, List.copyOf(trainer.stepLoss), List.copyOf(trainer.layerNames),
                List.copyOf(trainer.layerSizes), List.copyOf(trainer.layerGradNorms), trainAccuracy, testLoss, evaluations, wholeSet), model);
    }
}
