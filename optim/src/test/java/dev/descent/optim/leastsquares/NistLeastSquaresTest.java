package dev.descent.optim.leastsquares;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.Fixtures;
import dev.descent.optim.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Levenberg-Marquardt against the certified results of NIST's Statistical Reference Datasets
 * (StRD), nonlinear regression section: data, starting values and certified values from NIST
 * (fixtures/nist_strd.json, made by tools/nist_strd.py, which names where each file came from).
 * Every problem from both published starts must reproduce the certified parameters and residual
 * sum of squares to 6 significant digits (log relative error &ge; 6, NIST's own measure) and the
 * standard deviations to 4, with the default tolerances; the one exception is MGH10 from its
 * first start, which is not reached and must not be reported as converged.
 */
class NistLeastSquaresTest {
    /** The StRD models as tensor expressions of the parameters b[0..p-1] and the predictor x. */
    static final Map<String, BiFunction<Tensor[], Tensor, Tensor>> MODELS = Map.ofEntries(
            Map.entry("Misra1a", (b, x) -> b[0].mul(b[1].mul(x).neg().exp().neg().add(1))),
            Map.entry("DanWood", (b, x) -> b[0].mul(x.log().mul(b[1]).exp())),
            Map.entry("Kirby2", (b, x) -> b[0].add(b[1].mul(x)).add(b[2].mul(x.square()))
                    .div(b[3].mul(x).add(1).add(b[4].mul(x.square())))),
            Map.entry("Hahn1", (b, x) -> b[0].add(b[1].mul(x)).add(b[2].mul(x.square())).add(b[3].mul(x.pow(3)))
                    .div(b[4].mul(x).add(1).add(b[5].mul(x.square())).add(b[6].mul(x.pow(3))))),
            Map.entry("MGH17", (b, x) -> b[0].add(b[1].mul(x.mul(b[3]).neg().exp())).add(b[2].mul(x.mul(b[4]).neg().exp()))),
            Map.entry("Lanczos1", (b, x) -> b[0].mul(b[1].mul(x).neg().exp()).add(b[2].mul(b[3].mul(x).neg().exp()))
                    .add(b[4].mul(b[5].mul(x).neg().exp()))),
            Map.entry("BoxBOD", (b, x) -> b[0].mul(b[1].mul(x).neg().exp().neg().add(1))),
            Map.entry("MGH09", (b, x) -> b[0].mul(x.square().add(x.mul(b[1]))).div(x.square().add(x.mul(b[2])).add(b[3]))),
            Map.entry("MGH10", (b, x) -> b[0].mul(b[1].div(x.add(b[2])).exp())),
            Map.entry("Rat42", (b, x) -> b[0].div(b[1].sub(b[2].mul(x)).exp().add(1))),
            Map.entry("Rat43", (b, x) -> b[0].div(b[1].sub(b[2].mul(x)).exp().add(1).log().div(b[3]).exp())));

    static double logRelativeError(double actual, double certified) {
        double error = Math.abs(actual - certified) / Math.abs(certified);
        return error == 0 ? 16 : -Math.log10(error);
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    static LeastSquaresResult fit(JsonNode problem, double[] start) {
        return fit(problem, start, "levenbergmarquardt:maxEvaluations=5000"); // default tolerances
    }

    /** The problem fitted from {@code start} by the optimizer {@code spec} names (as {@code lm:solver=cg}). */
    static LeastSquaresResult fit(JsonNode problem, double[] start, String spec) {
        NDArray xs = NDArray.of(Fixtures.doubles(problem.get("x")), problem.get("x").size());
        Tensor x = Tensor.of(xs);
        Tensor y = Tensor.of(NDArray.of(Fixtures.doubles(problem.get("y")), xs.size()));
        Tensor[] b = new Tensor[start.length];
        for (int i = 0; i < start.length; i++) {
            b[i] = Tensor.scalar(DType.FLOAT64, start[i]).requiresGrad(true);
        }
        BiFunction<Tensor[], Tensor, Tensor> model = MODELS.get(problem.get("name").asText());
        return LeastSquaresTest.solve(Optimizers.create(spec, List.of(b)), () -> model.apply(b, x).sub(y));
    }

    @Test
    void levenbergMarquardtReproducesTheCertifiedValuesFromBothStarts() {
        JsonNode problems = Fixtures.load("nist_strd.json", "tools/nist_strd.py").get("problems");
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode problem : problems) {
            double[] certified = Fixtures.doubles(problem.get("certified"));
            double[] certifiedStdDev = Fixtures.doubles(problem.get("certifiedStdDev"));
            for (String start : new String[] {"start1", "start2"}) {
                LeastSquaresResult result = fit(problem, Fixtures.doubles(problem.get(start)));
                double rssError = logRelativeError(result.residualSumOfSquares(), problem.get("certifiedRss").asDouble());
                double worst = 16;
                double worstStdDev = 16;
                for (int i = 0; i < certified.length; i++) {
                    worst = Math.min(worst, logRelativeError(result.parameters()[i], certified[i]));
                    worstStdDev = Math.min(worstStdDev, logRelativeError(result.standardErrors()[i], certifiedStdDev[i]));
                }
                String line = String.format("%s (%s) from %s: LRE %.1f, std-dev LRE %.1f, rss LRE %.1f, %d iterations, %d evaluations, %s",
                        problem.get("name").asText(), problem.get("difficulty").asText(), start, worst, worstStdDev, rssError,
                        result.iterations(), result.evaluations(), result.stopReason());
                System.out.println(line);
                checked++;
                if (problem.get("name").asText().equals("MGH10") && start.equals("start1")) {
                    // Meyer's function from NIST's far start: the iterates drift toward b1 -> 0, b2, b3 -> infinity,
                    // where many packages fail too. Not reached (yet); the result must say so rather than claim a fit.
                    assertTrue(!result.converged() || worst >= 6, "MGH10 from start 1 claimed convergence at a wrong point: " + line);
                    continue;
                }
                // Where the certified residuals are within a thousand rounding errors of the data (Lanczos1: rms
                // residual 8e-14 on data near 2.5), no float64 evaluation can reproduce them, nor the standard
                // deviations that scale with them; the parameters must still match.
                double rmsResidual = Math.sqrt(problem.get("certifiedRss").asDouble() / certified.length);
                boolean atRounding = rmsResidual < 1e3 * 0x1p-52 * maxAbs(Fixtures.doubles(problem.get("y")));
                if (worst < 6 || !result.converged() || (!atRounding && (rssError < 6 || worstStdDev < 4))) {
                    failures.add(line);
                }
            }
        }
        assertEquals(22, checked);
        assertEquals(11, problems.size());
        assertTrue(failures.isEmpty(), "below 6 significant digits (or 4 for standard deviations):\n" + String.join("\n", failures));
    }
}
