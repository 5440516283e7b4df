/**
 * The element-wise methods, each updating a parameter from its own gradient and state as
 * {@code torch.optim} does: SGD (with momentum and Nesterov), Adagrad, RMSprop, Adadelta, the
 * Adam family (Adam, AdamW, Adamax, NAdam, RAdam) and RMSprop with Nesterov momentum.
 */
package dev.descent.optim.firstorder;
