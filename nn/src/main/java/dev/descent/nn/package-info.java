/**
 * Neural-network building blocks: Module, Parameter, Sequential, Linear, activations, BatchNorm1d, Dropout, LayerNorm, losses, Init and safetensors weights. Arrives with the nn issue.
 */
package dev.descent.nn;
