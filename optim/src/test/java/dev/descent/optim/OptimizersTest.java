package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.SGD;
import dev.descent.optim.secondorder.LBFGS;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizersTest {
    private final List<Tensor> params = List.of(Tensor.zeros(2).requiresGrad(true));

    @Test
    void specificationsNameTheOptimizerAndItsHyperparameters() {
        Optimizer adam = Optimizers.create("adam:lr=0.05,betas=0.8/0.99,amsgrad=true", params);
        assertEquals("Adam", adam.name());
        ParamGroup group = adam.paramGroups().get(0);
        assertEquals(0.05, group.lr(), 0);
        assertArrayEquals(new double[] {0.8, 0.99}, group.getPair("betas"), 0);
        assertTrue(group.getBoolean("amsgrad"));
        Optimizer sgd = Optimizers.create("SGD:lr=0.1,momentum=0.9,nesterov=true", params, 0.02);
        assertEquals(0.02, sgd.paramGroups().get(0).lr(), 0, "an explicit lr wins");
        assertEquals(1e-3, Optimizers.create("adam", params).paramGroups().get(0).lr(), 0);
    }

    @Test
    void badSpecificationsListTheValidChoices() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adamm", params));
        assertEquals("optimizer: unknown name 'adamm'; valid: [sgd, adagrad, rmsprop, adadelta, adam, adamw, adamax, nadam, radam,"
                + " nesterovrmsprop, lbfgs, bfgs, newton, newtoncg, gaussnewton, levenberg, levenbergmarquardt]", name.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam:momentum=0.9", params));
        assertTrue(key.getMessage().startsWith("Adam: unknown hyperparameter 'momentum'; valid: [lr, betas"), key.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam:lr", params));
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam:lr=fast", params));
        assertEquals("Adam: hyperparameter 'lr' expects a number, got fast", kind.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adam:lr=1e-3x", params));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("sgd", params));
    }

    @Test
    void aProgramsDefaultsFillOnlyTheKeysTheSpecLeavesOut() {
        String defaults = "lbfgs:historySize=10,maxIter=4";
        org.junit.jupiter.api.Assertions.assertEquals("lbfgs:historySize=10,maxIter=4", Optimizers.withDefaults("lbfgs", defaults));
        org.junit.jupiter.api.Assertions.assertEquals("lbfgs:historySize=10,maxIter=4,maxIter=7",
                Optimizers.withDefaults("LBFGS:maxIter=7", defaults));
        org.junit.jupiter.api.Assertions.assertEquals("adam:lr=0.01", Optimizers.withDefaults("adam:lr=0.01", defaults));
        // the spec's own value is set last, so it wins
        LBFGS lbfgs = (LBFGS) Optimizers.create(Optimizers.withDefaults("lbfgs:maxIter=7", defaults),
                java.util.List.of(dev.descent.autograd.Tensor.zeros(1).requiresGrad(true)));
        org.junit.jupiter.api.Assertions.assertEquals(7.0, lbfgs.paramGroups().get(0).getDouble("maxIter"));
        org.junit.jupiter.api.Assertions.assertEquals(10.0, lbfgs.paramGroups().get(0).getDouble("historySize"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Optimizers.withDefaults("", defaults));
    }
}
