package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;
import static dev.descent.optim.firstorder.AdaptiveMomentOptimizer.BETAS;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * RAdam (Liu et al., 2020), as {@code torch.optim.RAdam}: Adam whose adaptive step is switched
 * on only once the variance of the adaptive learning rate is tractable, and rectified:
 * <pre>
 *   t &larr; t + 1;  g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;;  m, v as in Adam
 *   &rho;&#8734; = 2 / (1 &minus; &beta;&#8322;) &minus; 1;   &rho;&#8348; = &rho;&#8734; &minus; 2 t &beta;&#8322;&#7511; / (1 &minus; &beta;&#8322;&#7511;)
 *   m&#770; = m / (1 &minus; &beta;&#8321;&#7511;)
 *   &rho;&#8348; &gt; 5: r = &radic;((&rho;&#8348; &minus; 4)(&rho;&#8348; &minus; 2)&rho;&#8734; / ((&rho;&#8734; &minus; 4)(&rho;&#8734; &minus; 2)&rho;&#8348;))
 *           &theta; &larr; &theta; &minus; lr &middot; m&#770; &middot; &radic;(1 &minus; &beta;&#8322;&#7511;) / (&radic;v + eps) &middot; r
 *   otherwise: &theta; &larr; &theta; &minus; lr &middot; m&#770;
 * </pre>
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0.
 */
public final class RAdam extends AdaptiveMomentOptimizer {
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("RAdam", lr(1e-3), BETAS, EPS, WEIGHT_DECAY, MAXIMIZE);

    /** RAdam's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options> {
        Options() { super(SPEC); }
    }

    public static Options options() { return new Options(); }

    public RAdam(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public RAdam(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        double step = incrementStep(state);
        double[] betas = group.get(BETAS);
        double biasCorrection1 = 1 - Math.pow(betas[0], step);
        double biasCorrection2 = 1 - Math.pow(betas[1], step);
        NDArray g = withWeightDecay(grad, param, group);
        NDArray average = updateFirstMoment(state, param, g, betas[0]);
        NDArray squareAverage = updateSecondMoment(state, param, g, betas[1]);
        NDArray corrected = average.div(biasCorrection1);
        double rhoInfinity = 2 / (1 - betas[1]) - 1;
        double rhoT = rhoInfinity - 2 * step * Math.pow(betas[1], step) / biasCorrection2;
        if (rhoT > 5) {
            double rectification = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInfinity
                    / ((rhoInfinity - 4) * (rhoInfinity - 2) * rhoT));
            // as torch computes scalar / tensor: the reciprocal times the scalar
            NDArray adaptive = squareAverage.sqrt().addi(group.get(EPS)).reciprocal().muli(Math.sqrt(biasCorrection2));
            param.subi(corrected.muli(group.lr()).muli(adaptive).muli(rectification));
        } else {
            param.subi(corrected.muli(group.lr()));
        }
    }
}
