package dev.descent.optim.linesearch;

/**
 * A search for a step t along a descent direction d (&nabla;f(x)&#x1D40;d &lt; 0) from x.
 * Implementations: {@link BacktrackingLineSearch} (Armijo) and {@link StrongWolfeLineSearch}.
 */
public interface LineSearch {
    /**
     * Searches from step {@code initialStep}, given f(x) = {@code value} and &nabla;f(x) =
     * {@code gradient}; neither x nor the arrays given are modified.
     */
    LineSearchResult search(Objective f, double[] x, double[] direction, double initialStep, double value, double[] gradient);

    /** The line search a name selects: {@code strong_wolfe} (torch.optim's name) or {@code backtracking}. */
    static LineSearch named(String name) {
        return switch (name) {
            case "strong_wolfe", "strongWolfe" -> new StrongWolfeLineSearch();
            case "backtracking", "armijo" -> new BacktrackingLineSearch();
            default -> throw new IllegalArgumentException("line search: unknown name '" + name + "'; valid: none, strong_wolfe, backtracking");
        };
    }
}
