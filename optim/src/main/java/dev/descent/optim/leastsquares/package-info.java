/**
 * Nonlinear least squares, min &frac12;&Vert;r(&theta;)&Vert;&sup2; with the Jacobian from autograd:
 * Gauss-Newton, Levenberg and Levenberg-Marquardt (optimizers whose closure returns the
 * residuals), and the statistics of a fit (standard errors).
 */
package dev.descent.optim.leastsquares;
