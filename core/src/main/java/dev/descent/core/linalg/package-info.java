/**
 * Dense linear algebra on NDArrays, in float64: Cholesky, LU and QR factorizations, the symmetric
 * eigendecomposition, and conjugate gradient and stationary iterations on a matrix-free
 * {@link dev.descent.core.linalg.LinearOperator}.
 */
package dev.descent.core.linalg;
