/**
 * Learning-rate schedules with {@code torch.optim.lr_scheduler}'s names and rules (step, multi-step,
 * exponential, cosine with and without warm restarts, linear, polynomial, one-cycle, sequential,
 * reduce-on-plateau, inverse-time decay), each with a state dict; and batch-size schedules.
 */
package dev.descent.optim.schedule;
