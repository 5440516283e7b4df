/**
 * Dense linear algebra on NDArrays: Cholesky, LU, QR, symmetric eigendecomposition, conjugate gradient. Arrives with the second-order optimizer issue.
 */
package dev.descent.core.linalg;
