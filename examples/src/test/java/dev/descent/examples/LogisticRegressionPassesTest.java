package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.Mnist;
import dev.descent.data.Standardize;
import dev.descent.data.TensorDataset;
import dev.descent.nn.Losses;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.secondorder.LBFGS;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Full-batch L-BFGS against minibatch Adam on logistic regression (784 -> 10 softmax) over the
 * first 10,000 MNIST training images, standardized per pixel (the fitted {@link Standardize}):
 * L-BFGS must reach the training loss Adam (lr 1e-3, batch 128) has after 20 epochs in fewer
 * passes over the data, a pass being one evaluation of the loss and its gradient on all 10,000
 * images for L-BFGS and one epoch for Adam.
 */
class LogisticRegressionPassesTest {
    static final int IMAGES = 10_000;

    @Test
    void lbfgsReachesAdamsTwentyEpochLossInFewerPasses() {
        TensorDataset all = Mnist.train().toTensorDataset(MnistPreprocessing.prepare(false));
        NDArray raw = all.fields()[0].narrow(0, 0, IMAGES).reshape(IMAGES, 784);
        NDArray images = Standardize.fit(raw).apply(raw);
        NDArray labels = all.fields()[1].narrow(0, 0, IMAGES);
        Tensor x = Tensor.of(images);
        Tensor y = Tensor.of(labels);

        Tensor w = Tensor.zeros(784, 10).requiresGrad(true);
        Tensor b = Tensor.zeros(10).requiresGrad(true);
        Adam adam = new Adam(List.of(w, b), Adam.options().lr(1e-3));
        DataLoader loader = new DataLoader(new TensorDataset(images, labels), 128).shuffle(new Generator(0));
        for (int epoch = 0; epoch < 20; epoch++) {
            for (Batch batch : loader) {
                adam.zeroGrad();
                Losses.crossEntropy(batch.input().matmul(w).add(b), batch.target()).backward();
                adam.step();
            }
        }
        double adamLoss = Losses.crossEntropy(x.matmul(w).add(b), y).item();

        Tensor w2 = Tensor.zeros(784, 10).requiresGrad(true);
        Tensor b2 = Tensor.zeros(10).requiresGrad(true);
        LBFGS lbfgs = new LBFGS(List.of(w2, b2), LBFGS.options().maxIter(100).maxEval(40).lineSearch("strong_wolfe"));
        int[] passes = {0};
        int[] reachedAt = {-1};
        lbfgs.step(() -> {
            lbfgs.zeroGrad();
            Tensor loss = Losses.crossEntropy(x.matmul(w2).add(b2), y);
            loss.backward();
            passes[0]++;
            if (reachedAt[0] < 0 && loss.item() <= adamLoss) {
                reachedAt[0] = passes[0];
            }
            return loss;
        });
        System.out.printf("logistic regression, 10,000 standardized MNIST images: Adam after 20 epochs %.5f; L-BFGS reached it after %d"
                + " passes%n", adamLoss, reachedAt[0]);
        assertTrue(reachedAt[0] > 0 && reachedAt[0] < 20, "L-BFGS passes to Adam's 20-epoch loss " + adamLoss + ": " + reachedAt[0]);
    }
}
