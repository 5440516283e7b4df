// Fused kernels over contiguous arrays: optimizer updates (one launch per parameter tensor),
// batch normalization of x [N, C] (one thread per channel for the column statistics, which keeps
// the reads of a row coalesced across threads, then one elementwise pass), and softmax
// cross-entropy of logits [N, C] (one thread per row: classifier heads have few classes).
#include "common.cuh"

// The update of dev.descent.optim.SGD; buffer is null without momentum.
template <typename T>
__device__ void sgd_update(T* param, const T* grad, T* buffer, long long n, int firstStep, double lr, double momentum,
                           double dampening, double weightDecay, int nesterov) {
    GRID_STRIDE_LOOP(i, n) {
        double g = (double) grad[i] + weightDecay * (double) param[i];
        if (buffer != nullptr) {
            double b = firstStep ? g : momentum * (double) buffer[i] + (1 - dampening) * g;
            buffer[i] = (T) b;
            g = nesterov ? g + momentum * b : b;
        }
        param[i] = (T) ((double) param[i] - lr * g);
    }
}

// The update of dev.descent.optim.Adam / AdamW; maxSquare is null without AMSGrad.
template <typename T>
__device__ void adam_update(T* param, const T* grad, T* average, T* squareAverage, T* maxSquare, long long n, double stepSize,
                            double sqrtBiasCorrection2, double beta1, double beta2, double eps, double weightDecay, double decoupledDecay) {
    GRID_STRIDE_LOOP(i, n) {
        double p = (double) param[i] * decoupledDecay;
        double g = (double) grad[i] + weightDecay * p;
        double m = beta1 * (double) average[i] + (1 - beta1) * g;
        double v = beta2 * (double) squareAverage[i] + (1 - beta2) * g * g;
        average[i] = (T) m;
        squareAverage[i] = (T) v;
        if (maxSquare != nullptr) {
            v = fmax((double) maxSquare[i], v);
            maxSquare[i] = (T) v;
        }
        param[i] = (T) (p - stepSize * m / (sqrt(v) / sqrtBiasCorrection2 + eps));
    }
}

// Per channel c: mean and 1 / sqrt(biased variance + eps), two passes in double.
template <typename T>
__device__ void batch_norm_statistics(const T* x, int rows, int channels, double eps, T* mean, T* invStd) {
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < channels; c += blockDim.x * gridDim.x) {
        double sum = 0;
        for (int r = 0; r < rows; r++) sum += (double) x[(long long) r * channels + c];
        double mu = sum / rows, squares = 0;
        for (int r = 0; r < rows; r++) {
            double d = (double) x[(long long) r * channels + c] - mu;
            squares += d * d;
        }
        mean[c] = (T) mu;
        invStd[c] = (T) (1.0 / sqrt(squares / rows + eps));
    }
}

// out = (x - mean) invStd weight + bias; weight and bias may be null.
template <typename T>
__device__ void batch_norm_normalize(const T* x, const T* mean, const T* invStd, const T* weight, const T* bias, T* out, int rows, int channels) {
    GRID_STRIDE_LOOP(i, (long long) rows * channels) {
        int c = (int) (i % channels);
        T y = (x[i] - mean[c]) * invStd[c];
        if (weight != nullptr) y *= weight[c];
        if (bias != nullptr) y += bias[c];
        out[i] = y;
    }
}

// Per channel: sumGrad = sum_n grad, sumGradNormalized = sum_n grad * (x - mean) invStd.
template <typename T>
__device__ void batch_norm_backward_sums(const T* grad, const T* x, const T* mean, const T* invStd, int rows, int channels,
                                         T* sumGrad, T* sumGradNormalized) {
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < channels; c += blockDim.x * gridDim.x) {
        double g = 0, gx = 0;
        for (int r = 0; r < rows; r++) {
            long long i = (long long) r * channels + c;
            double gi = (double) grad[i];
            g += gi;
            gx += gi * ((double) x[i] - (double) mean[c]) * (double) invStd[c];
        }
        sumGrad[c] = (T) g;
        sumGradNormalized[c] = (T) gx;
    }
}

// gradInput = weight invStd (grad - sumGrad / N - xhat sumGradNormalized / N); weight may be null.
template <typename T>
__device__ void batch_norm_input_gradient(const T* grad, const T* x, const T* mean, const T* invStd, const T* weight,
                                          const T* sumGrad, const T* sumGradNormalized, T* gradInput, int rows, int channels) {
    GRID_STRIDE_LOOP(i, (long long) rows * channels) {
        int c = (int) (i % channels);
        T normalized = (x[i] - mean[c]) * invStd[c];
        T scale = weight != nullptr ? invStd[c] * weight[c] : invStd[c];
        gradInput[i] = scale * (grad[i] - sumGrad[c] / rows - normalized * sumGradNormalized[c] / rows);
    }
}

// Per row i: probabilities = softmax(logits), losses = log sum exp(logits - max) - (logits[y] - max),
// in double; rows whose target is ignoreIndex get loss 0. The maximum follows Java's NaN rule.
template <typename T>
__device__ void softmax_cross_entropy(const T* logits, const int* targets, int ignoreIndex, T* losses, T* probabilities, int rows,
                                      int classes) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < rows; i += blockDim.x * gridDim.x) {
        const T* row = logits + (long long) i * classes;
        T* out = probabilities + (long long) i * classes;
        double max = -INFINITY;
        for (int c = 0; c < classes; c++) max = java_max(max, (double) row[c]);
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            double e = exp((double) row[c] - max);
            out[c] = (T) e;
            sum += e;
        }
        double inverse = 1 / sum;
        for (int c = 0; c < classes; c++) out[c] = (T) ((double) out[c] * inverse);
        int y = targets[i];
        losses[i] = (T) (y == ignoreIndex ? 0.0 : log(sum) - ((double) row[y] - max));
    }
}

// gradLogits[i, c] = gradLosses[i] (probabilities[i, c] - [c == targets[i]]), 0 in ignored rows.
template <typename T>
__device__ void softmax_cross_entropy_backward(const T* probabilities, const int* targets, int ignoreIndex, const T* gradLosses,
                                               T* gradLogits, int rows, int classes) {
    GRID_STRIDE_LOOP(i, (long long) rows * classes) {
        int r = (int) (i / classes);
        int c = (int) (i % classes);
        int y = targets[r];
        double scale = y == ignoreIndex ? 0.0 : (double) gradLosses[r];
        gradLogits[i] = (T) (scale * ((double) probabilities[i] - (c == y ? 1.0 : 0.0)));
    }
}

#define FUSED_KERNELS(suffix, T) \
    extern "C" __global__ void softmax_cross_entropy_##suffix(const T* logits, const int* targets, int ignoreIndex, T* losses, \
            T* probabilities, int rows, int classes) { \
        softmax_cross_entropy(logits, targets, ignoreIndex, losses, probabilities, rows, classes); } \
    extern "C" __global__ void softmax_cross_entropy_backward_##suffix(const T* probabilities, const int* targets, int ignoreIndex, \
            const T* gradLosses, T* gradLogits, int rows, int classes) { \
        softmax_cross_entropy_backward(probabilities, targets, ignoreIndex, gradLosses, gradLogits, rows, classes); } \
    extern "C" __global__ void sgd_update_##suffix(T* param, const T* grad, T* buffer, long long n, int firstStep, double lr, \
            double momentum, double dampening, double weightDecay, int nesterov) { \
        sgd_update(param, grad, buffer, n, firstStep, lr, momentum, dampening, weightDecay, nesterov); } \
    extern "C" __global__ void adam_update_##suffix(T* param, const T* grad, T* average, T* squareAverage, T* maxSquare, long long n, \
            double stepSize, double sqrtBiasCorrection2, double beta1, double beta2, double eps, double weightDecay, double decoupledDecay) { \
        adam_update(param, grad, average, squareAverage, maxSquare, n, stepSize, sqrtBiasCorrection2, beta1, beta2, eps, weightDecay, decoupledDecay); } \
    /* learning rate and step count read on the device, so a captured graph's replays follow them */ \
    extern "C" __global__ void capturable_adam_update_##suffix(T* param, const T* grad, T* average, T* squareAverage, T* maxSquare, \
            long long n, const double* lr, const double* step, double beta1, double beta2, double eps, double weightDecay, \
            double decoupledWeightDecay) { \
        double rate = *lr, count = *step; \
        adam_update(param, grad, average, squareAverage, maxSquare, n, rate / (1 - pow(beta1, count)), sqrt(1 - pow(beta2, count)), \
                beta1, beta2, eps, weightDecay, 1 - rate * decoupledWeightDecay); } \
    extern "C" __global__ void batch_norm_statistics_##suffix(const T* x, int rows, int channels, double eps, T* mean, T* invStd) { \
        batch_norm_statistics(x, rows, channels, eps, mean, invStd); } \
    extern "C" __global__ void batch_norm_normalize_##suffix(const T* x, const T* mean, const T* invStd, const T* weight, const T* bias, \
            T* out, int rows, int channels) { \
        batch_norm_normalize(x, mean, invStd, weight, bias, out, rows, channels); } \
    extern "C" __global__ void batch_norm_backward_sums_##suffix(const T* grad, const T* x, const T* mean, const T* invStd, int rows, \
            int channels, T* sumGrad, T* sumGradNormalized) { \
        batch_norm_backward_sums(grad, x, mean, invStd, rows, channels, sumGrad, sumGradNormalized); } \
    extern "C" __global__ void batch_norm_input_gradient_##suffix(const T* grad, const T* x, const T* mean, const T* invStd, \
            const T* weight, const T* sumGrad, const T* sumGradNormalized, T* gradInput, int rows, int channels) { \
        batch_norm_input_gradient(grad, x, mean, invStd, weight, sumGrad, sumGradNormalized, gradInput, rows, channels); }

FUSED_KERNELS(f32, float)
FUSED_KERNELS(f64, double)
