package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
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
public final class RAdam extends Optimizer {

    /** RAdam's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options> {
    }

    public static Options options() {
        return new Options();
    }

    private static Hyperparameters defaults() {
        return Hyperparameters.of("lr", 1e-3, "betas", new double[] {0.9, 0.999}, "eps", 1e-8, "weightDecay", 0, "maximize", false);
    }

    public RAdam(List<? extends Tensor> params, Options options) {
        super("RAdam", defaults(), options, single(params));
    }

    public RAdam(Options defaults, ParamGroup... groups) {
        super("RAdam", defaults(), defaults, List.of(groups));
    }

    @Override
    protected void validate(ParamGroup group) {
        requireAtLeastZero(group, "lr");
        requireAtLeastZero(group, "eps");
        requireBetas(group);
        requireAtLeastZero(group, "weightDecay");
    }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray average = stateArray(state, "exp_avg", param::zerosLike);
        NDArray squareAverage = stateArray(state, "exp_avg_sq", param::zerosLike);
        double step = incrementStep(state);
        double[] betas = group.getPair("betas");
        double biasCorrection1 = 1 - Math.pow(betas[0], step);
        double biasCorrection2 = 1 - Math.pow(betas[1], step);
        NDArray g = withWeightDecay(grad, param, group);
        average.muli(betas[0]).addi(g.mul(1 - betas[0]));
        squareAverage.muli(betas[1]).addcmuli(g, g, 1 - betas[1]);
        NDArray corrected = average.div(biasCorrection1);
        double rhoInfinity = 2 / (1 - betas[1]) - 1;
        double rhoT = rhoInfinity - 2 * step * Math.pow(betas[1], step) / biasCorrection2;
        if (rhoT > 5) {
            double rectification = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInfinity
                    / ((rhoInfinity - 4) * (rhoInfinity - 2) * rhoT));
            // as torch computes scalar / tensor: the reciprocal times the scalar
            NDArray adaptive = squareAverage.sqrt().addi(group.getDouble("eps")).reciprocal().muli(Math.sqrt(biasCorrection2));
            param.subi(corrected.muli(group.lr()).muli(adaptive).muli(rectification));
        } else {
            param.subi(corrected.muli(group.lr()));
        }
    }
}
