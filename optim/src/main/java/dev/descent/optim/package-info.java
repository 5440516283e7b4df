/**
 * The optimizer contract and what every method shares: {@link dev.descent.optim.Optimizer} with
 * {@code step(closure)} and {@code lastStep()}, parameter groups, hyperparameters declared once
 * per algorithm ({@link dev.descent.optim.Hyperparameter}), state dicts, and
 * {@link dev.descent.optim.Optimizers}, which builds any method by name
 * ({@code adam:lr=0.05,betas=0.9/0.999}). The methods live in the subpackages:
 * {@code firstorder} (SGD to the Adam family), {@code secondorder} (L-BFGS, BFGS, Newton,
 * Newton-CG, Hessian analysis), {@code leastsquares} (Gauss-Newton, Levenberg,
 * Levenberg-Marquardt), {@code linesearch} and {@code schedule} (learning-rate and batch-size
 * schedules). Gradient clipping and early stopping are in {@code dev.descent.nn.utils}.
 */
package dev.descent.optim;
