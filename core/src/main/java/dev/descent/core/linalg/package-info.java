/**
 * Dense linear algebra on NDArrays, in float64: the symmetric eigendecomposition now; Cholesky,
 * LU, QR and conjugate gradient arrive with the second-order optimizer issue.
 */
package dev.descent.core.linalg;
