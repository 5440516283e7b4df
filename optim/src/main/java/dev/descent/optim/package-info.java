/**
 * Optimizers: the Optimizer base, first-order methods (SGD, Adam, ...), second-order methods (Newton, L-BFGS, Levenberg-Marquardt, ...), line searches, learning-rate schedules and gradient clipping. Arrives with the optim issues.
 */
package dev.descent.optim;
