package dev.descent.nn;

import dev.descent.autograd.Tensor;

/**
 * Modules applied one after another; they are registered as children named 0, 1, 2, ...
 *
 * <pre>{@code
 * Module model = new Sequential(
 *         new Linear(784, 512), new BatchNorm1d(512), new ReLU(), new Dropout(0.2, new Generator(1)),
 *         new Linear(512, 10));
 * Tensor logits = model.forward(images);
 * }</pre>
 */
public final class Sequential extends Module {
    private int size;

    public Sequential(Module... modules) {
        for (Module module : modules) {
            add(module);
        }
    }

    /** Appends a module; returns this. */
    public Sequential add(Module module) {
        if (module == null) {
            throw new IllegalArgumentException("Sequential: module " + size + " is null");
        }
        registerModule(Integer.toString(size++), module);
        return this;
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Sequential: index " + index + " is out of range for " + size + " modules");
        }
        return namedChildren().get(Integer.toString(index));
    }

    public int size() {
        return size;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module module : namedChildren().values()) {
            x = module.forward(x);
        }
        return x;
    }
}
