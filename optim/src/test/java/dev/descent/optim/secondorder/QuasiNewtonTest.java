package dev.descent.optim.secondorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.optim.Fixtures;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuasiNewtonTest {

    /** Extended Rosenbrock: sum over pairs of (1 - x_odd)^2 + 100 (x_even - x_odd^2)^2 (1-based). */
    static Tensor rosenbrock(Tensor x) {
        Tensor pairs = x.reshape(x.size() / 2, 2);
        Tensor u = pairs.narrow(1, 0, 1);
        Tensor v = pairs.narrow(1, 1, 1);
        return u.neg().add(1).square().add(v.sub(u.square()).square().mul(100)).sum();
    }

    private static double[] start(JsonNode c) {
        return Fixtures.doubles(c.get("start"));
    }

    /** Runs L-BFGS with torch's settings of tools/lbfgs_reference.py; returns x. */
    private static LBFGS minimize(Tensor x) {
        LBFGS lbfgs = new LBFGS(List.of(x), LBFGS.options().maxIter(1000).maxEval(2000).toleranceGrad(1e-11).toleranceChange(0)
                .historySize(100).lineSearch("strong_wolfe"));
        lbfgs.step(() -> {
            lbfgs.zeroGrad();
            Tensor f = rosenbrock(x);
            f.backward();
            return f;
        });
        return lbfgs;
    }

    private static double gradientNorm(Tensor x) {
        Tensor probe = Tensor.of(x.data().copy()).requiresGrad(true);
        rosenbrock(probe).backward();
        return probe.grad().data().norm(2).item();
    }

    @Test
    void lbfgsWithStrongWolfeSolvesRosenbrockInNoMoreStepsThanTorch() {
        JsonNode fixtures = Fixtures.load("lbfgs_torch.json", "tools/lbfgs_reference.py");
        for (String name : new String[] {"rosenbrock2d", "extendedRosenbrock100"}) {
            JsonNode torch = fixtures.get(name);
            double[] x0 = start(torch);
            Tensor x = Tensor.of(NDArray.of(x0, x0.length)).requiresGrad(true);
            LBFGS lbfgs = minimize(x);
            double norm = gradientNorm(x);
            assertTrue(norm < 1e-8, name + ": |grad| = " + norm);
            assertEquals(1.0, x.data().min().item(), 1e-8, name + " reaches (1, ..., 1)");
            assertEquals(1.0, x.data().max().item(), 1e-8);
            int torchIterations = torch.get("iterations").asInt();
            int torchEvaluations = torch.get("evaluations").asInt();
            assertTrue(lbfgs.iterations() <= torchIterations, name + ": " + lbfgs.iterations() + " iterations vs torch " + torchIterations);
            assertTrue(lbfgs.functionEvaluations() <= torchEvaluations,
                    name + ": " + lbfgs.functionEvaluations() + " evaluations vs torch " + torchEvaluations);
            System.out.printf("%s: Descent L-BFGS %d iterations, %d evaluations, |g| %.2e; torch %d, %d%n", name, lbfgs.iterations(),
                    lbfgs.functionEvaluations(), norm, torchIterations, torchEvaluations);
        }
    }

    @Test
    void lbfgsWithUnitStepsConvergesOnAQuadratic() {
        // f = 1/2 x^T A x - b^T x with A SPD: L-BFGS with unit steps converges to A^-1 b.
        Generator g = new Generator(3);
        int n = 6;
        NDArray m = NDArray.randn(DType.FLOAT64, g, n, n);
        NDArray a = m.matmul(m.t()).add(NDArray.eye(DType.FLOAT64, n).mul(n));
        NDArray b = NDArray.randn(DType.FLOAT64, g, n);
        Tensor x = Tensor.zeros(n).astype(DType.FLOAT64).requiresGrad(true);
        Tensor at = Tensor.of(a);
        Tensor bt = Tensor.of(b);
        LBFGS lbfgs = new LBFGS(List.of(x), LBFGS.options().maxIter(200).toleranceGrad(1e-12).toleranceChange(0));
        lbfgs.step(() -> {
            lbfgs.zeroGrad();
            Tensor f = x.matmul(at.matmul(x)).mul(0.5).sub(bt.matmul(x));
            f.backward();
            return f;
        });
        double[] expected = dev.descent.core.linalg.Cholesky.factor(a).solve(b.toDoubleArray());
        double[] actual = x.data().toDoubleArray();
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], actual[i], 1e-9);
        }
    }

    @Test
    void bfgsMatchesTheSolutionAndBuildsTheInverseHessianOfAQuadratic() {
        Tensor x = Tensor.of(new double[] {-1.5, 2}, 2).requiresGrad(true);
        BFGS bfgs = new BFGS(List.of(x), BFGS.options().maxIter(200).toleranceGrad(1e-12).toleranceChange(0));
        bfgs.step(() -> {
            bfgs.zeroGrad();
            Tensor f = rosenbrock(x);
            f.backward();
            return f;
        });
        assertTrue(gradientNorm(x) < 1e-8, "BFGS |grad| = " + gradientNorm(x));
        assertEquals(1.0, x.data().toDoubleArray()[0], 1e-8);
        assertTrue(bfgs.iterations() < 60, "superlinear: " + bfgs.iterations() + " iterations");
    }

    @Test
    void quasiNewtonMethodsRefuseAStepWithoutClosureAndBadOptions() {
        Tensor x = Tensor.zeros(2).requiresGrad(true);
        LBFGS lbfgs = new LBFGS(List.of(x), LBFGS.options());
        IllegalStateException e = assertThrows(IllegalStateException.class, lbfgs::step);
        assertTrue(e.getMessage().contains("LBFGS") && e.getMessage().contains("closure"), e.getMessage());
        IllegalArgumentException search = assertThrows(IllegalArgumentException.class,
                () -> new LBFGS(List.of(x), LBFGS.options().lineSearch("wolfe")));
        assertTrue(search.getMessage().contains("strong_wolfe"), search.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LBFGS(List.of(x), LBFGS.options().historySize(0)));
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("lbfgs:lineSearch=1", List.of(x)));
        assertTrue(kind.getMessage().contains("expects a name"), kind.getMessage());
    }

    /** One step of {@code optimizer} on sum(x^2) from x = 1, through its closure. */
    private static void stepOnAQuadratic(Optimizer optimizer, Tensor x) {
        optimizer.step(() -> {
            optimizer.zeroGrad();
            Tensor f = x.square().sum();
            f.backward();
            return f;
        });
    }

    @Test
    void historiesThatCannotFitTheHeapAreRefusedWithTheWayOut() {
        Tensor wide = Tensor.of(NDArray.ones(DType.FLOAT64, 100_000)).requiresGrad(true);
        BFGS bfgs = new BFGS(List.of(wide), BFGS.options());
        IllegalArgumentException dense = assertThrows(IllegalArgumentException.class, () -> stepOnAQuadratic(bfgs, wide));
        assertTrue(dense.getMessage().startsWith("BFGS: its dense inverse-Hessian approximation of 100,000 x 100,000 parameters needs 80.0 GB")
                && dense.getMessage().endsWith("use lbfgs, which keeps a few vectors instead"), dense.getMessage());

        Tensor x = Tensor.of(NDArray.ones(DType.FLOAT64, 10)).requiresGrad(true);
        LBFGS lbfgs = new LBFGS(List.of(x), LBFGS.options().historySize(2_000_000_000));
        IllegalArgumentException history = assertThrows(IllegalArgumentException.class, () -> stepOnAQuadratic(lbfgs, x));
        assertTrue(history.getMessage().startsWith("LBFGS: a history of 2000000000 pairs of 10 parameters needs 320 GB")
                && history.getMessage().contains("set historySize to"), history.getMessage());
    }
}
