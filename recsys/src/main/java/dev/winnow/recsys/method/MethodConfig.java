package dev.winnow.recsys.method;

import dev.winnow.engine.prune.PruneSchedule;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every hyperparameter of one method's training run (Table 2 of the paper plus what the paper leaves open). Values
 * are overridden by name with {@link #with(String, String)}, from the command line or a YAML/JSON run file.
 *
 * @param lrDecay multiplier applied to the learning rate at each milestone epoch (Table 2's "learning decay" read
 *                as the code's lr_decay; see sad_lth_spec.md §5)
 * @param pruneRate fraction of the still-alive weights (or hidden units, when structured) removed at each event
 * @param rewindIteration -1 or 0 rewinds to initialisation (the state after 0 optimiser steps); k > 0 rewinds to the
 *                        dense run's state after k optimiser steps, which must lie in the first pruning level
 * @param milestonesPerRound false: one global LR schedule with milestones at absolute epochs (the paper's Algorithm
 *                           1); true: the spec's "per-round restart" (§3.4) — milestones count from the start of
 *                           each pruning level and the learning rate restarts at every prune event
 * @param targetDensity SS-SAD phase 1 stops once the ticket's density is at or below this; with
 *                      {@code prune_schedule: cubic} the density the other pruning methods ramp down to
 * @param pruneSchedule {@code constant}: every event removes prune_rate of what is alive (the paper's); {@code cubic}:
 *                      Zhu &amp; Gupta's ramp from density 1 to target_density over the run's prune events (prune_rate
 *                      is not read; not for SS-SAD, which prunes until target_density)
 * @param prunePattern {@code unstructured}: single weights by global magnitude (or whole units when structured);
 *                     {@code 2:4}: the N:M pattern of NVIDIA's sparse tensor cores, imposed at the first prune event
 *                     (density 0.5) and kept by the later ones (prune_rate is not read); {@code block16}: whole
 *                     16x1 blocks (16 consecutive outputs of one input) of each Linear weight ranked by their mean
 *                     |w| at prune_rate, embedding tables as single weights
 * @param pruneEmbeddings false (the spec's default, §3.1): only the MLP's weights are pruned; true: the NCF
 *                        student's user and item tables are pruned too, joining the global magnitude ranking (or,
 *                        when structured, losing whole latent dimensions at the units' rate)
 */
public record MethodConfig(int epochs, int batchSize, String optimizer, float lr, float momentum, float weightDecay,
                           int[] milestones, float lrDecay, double pruneRate, int pruneEvery, boolean structured,
                           int rewindIteration, boolean freshOptimizerPerRound, boolean milestonesPerRound,
                           boolean resetDistillerOnRewind,
                           float beta, float alpha, int qkDim, double targetDensity,
                           int kdEpochs, float kdLr, int patience, String pruneSchedule,
                           String prunePattern, boolean pruneEmbeddings) {

    /**
     * The most epochs (and kd_epochs) a run may ask for: about 8x the paper's longest schedule (LTH-SAD, 1200). A
     * mistyped 10^6 would otherwise run for weeks before anyone noticed.
     */
    public static final int MAX_EPOCHS = 10_000;

    /** The largest attention key/query width; the distiller allocates qk_dim x (layer width) per tapped layer. */
    public static final int MAX_QK_DIM = 4096;

    public MethodConfig {
        milestones = milestones.clone();
        if (epochs < 1 || epochs > MAX_EPOCHS) {
            throw new IllegalArgumentException("epochs must be 1.." + MAX_EPOCHS + " (the paper's longest schedule is "
                    + "1200), got " + epochs);
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch_size must be >= 2 (batch norm in the distiller), got "
                    + batchSize);
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adam") && !optimizer.equals("lazy-adam")) {
            throw new IllegalArgumentException("optimizer must be sgd, adam or lazy-adam, got '" + optimizer + "'");
        }
        // every range check is written so that NaN fails it, and infinities are refused where they make no sense
        if (!(lr > 0f && Float.isFinite(lr))) {
            throw new IllegalArgumentException("lr must be a finite number > 0, got " + lr);
        }
        if (!(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0f && Float.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight_decay must be a finite number >= 0, got " + weightDecay);
        }
        for (int m : milestones) {
            if (m < 1) {
                throw new IllegalArgumentException("milestones must be epochs counted from 1, got " + m + " in "
                        + Arrays.toString(milestones));
            }
        }
        if (!(lrDecay > 0f && lrDecay <= 1f)) {
            throw new IllegalArgumentException("lr_decay must be in (0, 1] (it multiplies the learning rate at each "
                    + "milestone), got " + lrDecay);
        }
        if (!(pruneRate >= 0 && pruneRate < 1)) {
            throw new IllegalArgumentException("prune_rate must be in [0, 1), got " + pruneRate);
        }
        if (pruneEvery < 1) {
            throw new IllegalArgumentException("prune_every must be >= 1, got " + pruneEvery);
        }
        if (rewindIteration < -1) {
            throw new IllegalArgumentException("rewind_iteration must be -1 (rewind to initialisation) or a number of "
                    + "optimiser steps >= 0, got " + rewindIteration);
        }
        if (!(beta >= 0f && Float.isFinite(beta))) {
            throw new IllegalArgumentException("beta must be a finite number >= 0 (the attention-distillation loss "
                    + "weight), got " + beta);
        }
        if (!(alpha >= 0f && Float.isFinite(alpha))) {
            throw new IllegalArgumentException("alpha must be a finite number >= 0 (the teacher-output distillation "
                    + "weight), got " + alpha);
        }
        if (qkDim < 1 || qkDim > MAX_QK_DIM) {
            throw new IllegalArgumentException("qk_dim must be 1.." + MAX_QK_DIM + ", got " + qkDim);
        }
        // 1 or more would end SS-SAD's pruning phase before its first prune, 0 would prune every weight
        if (!(targetDensity > 0 && targetDensity < 1)) {
            throw new IllegalArgumentException("target_density must be in (0, 1), got " + targetDensity);
        }
        if (kdEpochs < 0 || kdEpochs > MAX_EPOCHS) {
            throw new IllegalArgumentException("kd_epochs must be 0.." + MAX_EPOCHS + ", got " + kdEpochs);
        }
        // kd_lr > 0 where kd_epochs > 0 is checked per method (SS-SAD): --set applies settings one at a time
        if (!(kdLr >= 0f && Float.isFinite(kdLr))) {
            throw new IllegalArgumentException("kd_lr must be a finite number >= 0, got " + kdLr);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0 (0: no early stopping), got " + patience);
        }
        if (!pruneSchedule.equals("constant") && !pruneSchedule.equals("cubic")) {
            throw new IllegalArgumentException("prune_schedule must be constant or cubic, got '" + pruneSchedule + "'");
        }
        if (!prunePattern.equals("unstructured") && !prunePattern.equals("2:4") && !prunePattern.equals("block16")) {
            throw new IllegalArgumentException("prune_pattern must be unstructured, 2:4 or block16, got '"
                    + prunePattern + "'");
        }
        // prune_pattern against structured and prune_schedule is checked per method (checkFor)
    }

    /**
     * What {@code method} needs of these settings beyond the ranges above, which hold for every method (checked
     * again by {@code compare} before any data is loaded).
     */
    public void checkFor(Method method) {
        if (method == Method.SS_SAD) {
            if (!(pruneRate() > 0)) {
                throw new IllegalArgumentException("SS-SAD prunes until target_density " + targetDensity()
                        + ", which prune_rate 0 never reaches; set prune_rate > 0 or leave SS-SAD out");
            }
            if (kdEpochs() > 0 && !(kdLr() > 0f)) {
                throw new IllegalArgumentException("SS-SAD trains kd_epochs " + kdEpochs() + " with kd_lr 0, which "
                        + "learns nothing; set kd_lr > 0");
            }
            if (cubicSchedule()) {
                throw new IllegalArgumentException("SS-SAD prunes at prune_rate until target_density, so it takes "
                        + "prune_schedule constant; give prune_schedule: cubic per method in a run file");
            }
            if (twoFour()) {
                throw new IllegalArgumentException("SS-SAD prunes until target_density, and prune_pattern 2:4 stops at "
                        + "density 0.5; give prune_pattern: 2:4 per method in a run file");
            }
        } else if (method.prunes() && cubicSchedule() && pruneEvents() == 0) {
            throw new IllegalArgumentException(method.label() + ": prune_schedule cubic ramps over the run's prune "
                    + "events, and epochs " + epochs() + " < prune_every " + pruneEvery() + " gives none");
        }
        if (method.prunes() && twoFour() && structured()) {
            throw new IllegalArgumentException(method.label() + ": prune_pattern 2:4 groups single weights and "
                    + "structured: true removes whole units; choose one (per method in a run file)");
        }
        if (method.prunes() && block16() && structured()) {
            throw new IllegalArgumentException(method.label() + ": prune_pattern block16 removes 16x1 blocks of "
                    + "weights and structured: true removes whole units; choose one (per method in a run file)");
        }
        if (method.prunes() && twoFour() && cubicSchedule()) {
            throw new IllegalArgumentException(method.label() + ": prune_pattern 2:4 fixes the density at 0.5, so "
                    + "prune_schedule must be constant");
        }
    }

    /** Whether the pruning methods follow the cubic ramp to target_density instead of a constant rate. */
    public boolean cubicSchedule() {
        return pruneSchedule.equals("cubic");
    }

    /** Whether pruning imposes NVIDIA's 2:4 pattern instead of ranking by magnitude. */
    public boolean twoFour() {
        return prunePattern.equals("2:4");
    }

    /** Whether pruning removes whole 16x1 blocks of the Linear weights instead of single weights. */
    public boolean block16() {
        return prunePattern.equals("block16");
    }

    /** Number of prune events in {@code epochs} epochs (spec check 20: floor(epochs / pruneEvery)). */
    public int pruneEvents() {
        return new PruneSchedule(epochs, pruneEvery).events();
    }

    /** The configuration as name -> value, in the names {@link #with} accepts (for results files and logs). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("milestones", Arrays.toString(milestones));
        m.put("lr_decay", lrDecay);
        m.put("prune_rate", pruneRate);
        m.put("prune_every", pruneEvery);
        m.put("prune_schedule", pruneSchedule);
        m.put("prune_pattern", prunePattern);
        m.put("structured", structured);
        m.put("rewind_iteration", rewindIteration);
        m.put("fresh_optimizer_per_round", freshOptimizerPerRound);
        m.put("milestones_per_round", milestonesPerRound);
        m.put("reset_distiller_on_rewind", resetDistillerOnRewind);
        m.put("beta", beta);
        m.put("alpha", alpha);
        m.put("qk_dim", qkDim);
        m.put("target_density", targetDensity);
        m.put("kd_epochs", kdEpochs);
        m.put("kd_lr", kdLr);
        m.put("patience", patience);
        m.put("prune_embeddings", pruneEmbeddings);
        return m;
    }

    /** A copy with one value replaced; {@code key} is one of {@link #asMap()}'s names ('-' and '_' both work). */
    public MethodConfig with(String key, String value) {
        String k = key.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        Map<String, Object> m = asMap();
        if (k.equals("temperature")) {
            throw new IllegalArgumentException("there is no setting 'temperature': Table 2's Hinton temperature softens "
                    + "class probabilities, and every model here predicts one rating, so output distillation is alpha x "
                    + "the squared error to the teacher's prediction (docs/methods.md)");
        }
        if (!m.containsKey(k)) {
            throw new IllegalArgumentException("unknown setting '" + key + "' (known: " + m.keySet() + ")");
        }
        m.put(k, value.trim());
        try {
            return fromMap(m);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "': '" + value + "' is not a valid number");
        }
    }

    private static MethodConfig fromMap(Map<String, Object> m) {
        return new MethodConfig(intOf(m, "epochs"), intOf(m, "batch_size"),
                String.valueOf(m.get("optimizer")).toLowerCase(Locale.ROOT), floatOf(m, "lr"), floatOf(m, "momentum"),
                floatOf(m, "weight_decay"), parseInts(String.valueOf(m.get("milestones"))), floatOf(m, "lr_decay"),
                Double.parseDouble(String.valueOf(m.get("prune_rate"))), intOf(m, "prune_every"),
                boolOf(m, "structured"), intOf(m, "rewind_iteration"), boolOf(m, "fresh_optimizer_per_round"),
                boolOf(m, "milestones_per_round"), boolOf(m, "reset_distiller_on_rewind"), floatOf(m, "beta"),
                floatOf(m, "alpha"), intOf(m, "qk_dim"),
                Double.parseDouble(String.valueOf(m.get("target_density"))), intOf(m, "kd_epochs"),
                floatOf(m, "kd_lr"), intOf(m, "patience"),
                String.valueOf(m.get("prune_schedule")).toLowerCase(Locale.ROOT),
                String.valueOf(m.get("prune_pattern")).toLowerCase(Locale.ROOT), boolOf(m, "prune_embeddings"));
    }

    private static int intOf(Map<String, Object> m, String k) {
        return Integer.parseInt(String.valueOf(m.get(k)));
    }

    private static float floatOf(Map<String, Object> m, String k) {
        return Float.parseFloat(String.valueOf(m.get(k)));
    }

    private static int[] parseInts(String s) {
        String t = s.replace("[", "").replace("]", "").trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split("[,\\s]+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }

    private static boolean boolOf(Map<String, Object> m, String k) {
        String s = String.valueOf(m.get(k));
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("yes") || t.equals("1")) {
            return true;
        }
        if (t.equals("false") || t.equals("no") || t.equals("0")) {
            return false;
        }
        throw new IllegalArgumentException("setting '" + k + "': '" + s + "' is not a boolean (true/false)");
    }
}
