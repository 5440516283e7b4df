package dev.descent.nn;

/** How a loss combines its per-element values: their mean, their sum, or none (one value per element). */
public enum Reduction { MEAN, SUM, NONE }
