package dev.descent.core.cpu;

/**
 * The error function in double precision (relative error near 1e-14), needed by the exact GELU.
 *
 * <p>For |x| &lt; 2.5 it sums the Maclaurin series erf(x) = 2/&radic;&pi; &Sigma;<sub>n</sub>
 * (&minus;1)<sup>n</sup> x<sup>2n+1</sup> / (n! (2n+1)); its largest term is about e<sup>x&sup2;</sup>,
 * so cancellation costs at most three digits there. Beyond, it uses the continued fraction
 * erfc(x) = e<sup>&minus;x&sup2;</sup>/&radic;&pi; &middot; 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 * evaluated from the tail, which converges quickly for large x; erf(x) = 1 &minus; erfc(x).
 */
final class ErrorFunction {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    private static final double SERIES_LIMIT = 2.5;
    private static final int FRACTION_TERMS = 120;

    private ErrorFunction() {
    }

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a < SERIES_LIMIT) {
            double square = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -square / n;
                double contribution = term / (2 * n + 1);
                sum += contribution;
                if (Math.abs(contribution) <= 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        if (a > 6) {
            return Math.copySign(1.0, x); // erfc(6) < 3e-17: 1 is the nearest double
        }
        double tail = a;
        for (int n = FRACTION_TERMS; n >= 1; n--) {
            tail = a + (n / 2.0) / tail;
        }
        double erfc = Math.exp(-a * a) * ONE_OVER_SQRT_PI / tail;
        return Math.copySign(1.0 - erfc, x);
    }
}
