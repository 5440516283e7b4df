package dev.descent.optim;

import dev.descent.optim.secondorder.Newton;

/**
 * The account of one {@link Optimizer#step(LossClosure)}, of the same shape for every method:
 * the loss the closure gave first (at the parameters the step started from), the last loss the
 * step evaluated (after the update for methods that evaluate there: line searches, Newton's
 * methods, least squares; the first loss again for first-order methods, which evaluate once),
 * the iterations and closure evaluations the step took, and why it returned. For least squares
 * the loss is &frac12;&Vert;r&Vert;&sup2;.
 */
public record StepResult(double initialLoss, double loss, int iterations, int evaluations, StopReason stopReason) {
}
