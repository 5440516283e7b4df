/**
 * The descent command-line program (MNIST training, optimizer comparisons, curve fitting, doctor) and the JMH benchmarks in {@code dev.descent.examples.bench}. The command arrives with the data issue.
 */
package dev.descent.examples;
