/**
 * Reverse-mode automatic differentiation: Tensor, Function (forward + backward, the extension point for custom ops), the backward engine, GradMode no-grad scopes, GradCheck and higher-order gradients. Arrives with the autograd issue.
 */
package dev.descent.autograd;
