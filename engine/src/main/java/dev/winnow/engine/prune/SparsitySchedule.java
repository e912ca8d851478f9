package dev.winnow.engine.prune;

/**
 * How much to prune at each event. {@link #fixedRate} is the paper's: the same fraction of what is alive every round,
 * so density after k events is (1 - p)^k. {@link #cubic} is Zhu & Gupta's gradual schedule: the target sparsity at
 * event e of n is s_e = s_f + (s_i - s_f)(1 - e/n)^3, reached by pruning 1 - (1 - s_e)/density of what is alive.
 */
public interface SparsitySchedule {

    /** The rate (fraction of the alive entries) to prune at 1-based event {@code event}, given the current density. */
    double rateAt(int event, double currentDensity);

    static SparsitySchedule fixedRate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("pruning rate must be in [0, 1], got " + rate);
        }
        return (event, density) -> rate;
    }

    /** Zhu & Gupta (2017) cubic ramp from sparsity {@code initial} to {@code target} over {@code events} events. */
    static SparsitySchedule cubic(double initial, double target, int events) {
        if (!(initial >= 0 && initial <= target && target < 1)) {
            throw new IllegalArgumentException("cubic schedule needs 0 <= initial <= target < 1, got " + initial
                    + " -> " + target);
        }
        if (events <= 0) {
            throw new IllegalArgumentException("cubic schedule needs at least one event, got " + events);
        }
        return (event, density) -> {
            double t = Math.min(1.0, Math.max(0.0, event / (double) events));
            double sparsity = target + (initial - target) * Math.pow(1 - t, 3);
            // A hair below the exact ratio, so that ceil(rate * alive) does not round a whole count up by one weight.
            double rate = 1 - (1 - sparsity) / density - 1e-12;
            return Math.max(0.0, Math.min(1.0, rate));
        };
    }

    /** The sparsity the cubic schedule aims for after event {@code event}. */
    static double cubicTarget(double initial, double target, int events, int event) {
        double t = Math.min(1.0, Math.max(0.0, event / (double) events));
        return target + (initial - target) * Math.pow(1 - t, 3);
    }
}
