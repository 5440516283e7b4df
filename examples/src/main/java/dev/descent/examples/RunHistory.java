package dev.descent.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a training run has measured so far: per epoch the training and test loss and accuracy and
 * the seconds it took and each layer's mean weight-gradient norm, and per step the loss, learning
 * rate and gradient norm (the trainer's own lists, which it appends to). A checkpoint keeps it so that a resumed run's metrics files and
 * report cover every epoch, not only those after the resume.
 */
record RunHistory(List<Double> trainLoss, List<Double> trainAccuracy, List<Double> testLoss, List<Double> testAccuracy,
                  List<Double> epochSeconds, List<Double> stepLoss, List<Double> stepLr, List<Double> stepGradNorm,
                  Map<String, List<Double>> layerGradNorm) {
    /** The prefix of the per-layer lists in {@link #toMap}: "layerGradNorm/1.weight". */
    static final String LAYER_PREFIX = "layerGradNorm/";

    /** Empty epoch lists beside the trainer's step lists. */
    static RunHistory of(Trainer trainer) {
        return new RunHistory(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                trainer.stepLoss, trainer.stepLr, trainer.stepGradNorm, new LinkedHashMap<>());
    }

    /** Appends, for each layer, the mean of its weight-gradient norm over an epoch's {@code steps} (nothing when none were recorded). */
    void addLayerNorms(List<String> layers, List<double[]> steps) {
        for (int i = 0; i < layers.size(); i++) {
            double mean = 0;
            for (double[] norms : steps) {
                mean += norms[i] / steps.size();
            }
            layerGradNorm.computeIfAbsent(layers.get(i), name -> new ArrayList<>()).add(steps.isEmpty() ? Double.NaN : mean);
        }
    }

    /** Appends one epoch's results. */
    void addEpoch(Trainer.EpochResult training, Trainer.Evaluation test) {
        trainLoss.add(training.meanLoss());
        trainAccuracy.add(training.accuracy());
        testLoss.add(test.meanLoss());
        testAccuracy.add(test.accuracy());
        epochSeconds.add(training.seconds());
    }

    int epochs() {
        return trainLoss.size();
    }

    /** Every list by its name, for a JSON file (the values are finite: a run that diverges stops before its checkpoint). */
    Map<String, List<Double>> toMap() {
        Map<String, List<Double>> lists = new LinkedHashMap<>();
        lists.put("trainLoss", trainLoss);
        lists.put("trainAccuracy", trainAccuracy);
        lists.put("testLoss", testLoss);
        lists.put("testAccuracy", testAccuracy);
        lists.put("epochSeconds", epochSeconds);
        lists.put("stepLoss", stepLoss);
        lists.put("stepLr", stepLr);
        lists.put("stepGradNorm", stepGradNorm);
        layerGradNorm.forEach((layer, values) -> lists.put(LAYER_PREFIX + layer, values));
        return lists;
    }

    /**
     * Replaces every list's contents with those {@link #toMap} wrote; a list it lacks is an error
     * naming it (the per-layer lists are optional: checkpoints from before them have none).
     */
    void restore(Map<String, ? extends List<? extends Number>> saved) {
        layerGradNorm.clear();
        saved.forEach((name, values) -> {
            if (name.startsWith(LAYER_PREFIX)) {
                layerGradNorm.put(name.substring(LAYER_PREFIX.length()), new ArrayList<>());
            }
        });
        Map<String, List<Double>> lists = toMap();
        for (String name : lists.keySet()) {
            if (!(saved.get(name) instanceof List<?>)) {
                throw new IllegalArgumentException("RunHistory.restore: the saved history has no list '" + name + "'");
            }
        }
        lists.forEach((name, list) -> {
            list.clear();
            saved.get(name).forEach(value -> list.add(value.doubleValue()));
        });
    }
}
