package dev.descent.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a training run has measured so far: per epoch the training and test loss and accuracy and
 * the seconds and steps it took, and per step the loss, learning rate and gradient norm (the
 * trainer's own lists, which it appends to) and each Linear layer's weight-gradient norm. A checkpoint keeps it so that a resumed run's metrics files and
 * report cover every epoch, not only those after the resume.
 */
record RunHistory(List<Double> trainLoss, List<Double> trainAccuracy, List<Double> testLoss, List<Double> testAccuracy,
                  List<Double> epochSeconds, List<Double> epochSteps, List<Double> stepLoss, List<Double> stepLr, List<Double> stepGradNorm,
                  Map<String, List<Double>> layerGradNorm) {
    /** The prefix of the per-layer lists in {@link #toMap}: "layerGradNorm/1.weight", one value per step. */
    static final String LAYER_PREFIX = "layerGradNorm/";

    /** Empty epoch lists beside the trainer's step lists. */
    static RunHistory of(Trainer trainer) {
        return new RunHistory(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                trainer.stepLoss, trainer.stepLr, trainer.stepGradNorm, new LinkedHashMap<>());
    }

    /** Appends each layer's weight-gradient norm at every one of an epoch's {@code steps} (rows in the order of {@code layers}). */
    void addLayerNorms(List<String> layers, List<double[]> steps) {
        for (int i = 0; i < layers.size(); i++) {
            List<Double> values = layerGradNorm.computeIfAbsent(layers.get(i), name -> new ArrayList<>());
            for (double[] norms : steps) {
                values.add(norms[i]);
            }
        }
    }

    /** The index of the first step of {@code epoch} (from 0) in the step lists. */
    int firstStepOf(int epoch) {
        int first = 0;
        for (int e = 0; e < epoch; e++) {
            first += epochSteps.get(e).intValue();
        }
        return first;
    }

    /** Appends one epoch's results. */
    void addEpoch(Trainer.EpochResult training, Trainer.Evaluation test) {
        trainLoss.add(training.meanLoss());
        trainAccuracy.add(training.accuracy());
        testLoss.add(test.meanLoss());
        testAccuracy.add(test.accuracy());
        epochSeconds.add(training.seconds());
        epochSteps.add((double) training.steps());
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
        lists.put("epochSteps", epochSteps);
        lists.put("stepLoss", stepLoss);
        lists.put("stepLr", stepLr);
        lists.put("stepGradNorm", stepGradNorm);
        layerGradNorm.forEach((layer, values) -> lists.put(LAYER_PREFIX + layer, values));
        return lists;
    }

    /**
     * Replaces every list's contents with those {@link #toMap} wrote; a list it lacks is an error
     * naming it (the per-layer lists and the epochs' step counts are optional: checkpoints from
     * before them have none).
     */
    void restore(Map<String, ? extends List<? extends Number>> saved) {
        layerGradNorm.clear();
        epochSteps.clear();
        saved.forEach((name, values) -> {
            if (name.startsWith(LAYER_PREFIX)) {
                layerGradNorm.put(name.substring(LAYER_PREFIX.length()), new ArrayList<>());
            }
        });
        Map<String, List<Double>> lists = toMap();
        for (String name : lists.keySet()) {
            if (!(saved.get(name) instanceof List<?>) && !name.equals("epochSteps")) {
                throw new IllegalArgumentException("RunHistory.restore: the saved history has no list '" + name + "'");
            }
        }
        lists.forEach((name, list) -> {
            list.clear();
            if (saved.get(name) != null) {
                saved.get(name).forEach(value -> list.add(value.doubleValue()));
            }
        });
    }
}
