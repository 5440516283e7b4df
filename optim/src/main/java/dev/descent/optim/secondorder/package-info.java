/**
 * Methods that use curvature: quasi-Newton (L-BFGS, BFGS), Newton with the exact Hessian,
 * Hessian-free Newton-CG, and the analysis of the Hessian itself (eigenvalues by Lanczos, the
 * optimal step of the local quadratic model).
 */
package dev.descent.optim.secondorder;
