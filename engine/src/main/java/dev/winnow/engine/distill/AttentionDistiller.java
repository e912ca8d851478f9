package dev.winnow.engine.distill;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.nn.BatchNorm1d;
import dev.winnow.engine.nn.Gaussian;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Module;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Show-Attend-Distill (official AFD, spec §1.2-1.3) adapted to MLP hidden layers (spec §2). Teacher features give
 * queries q_t = BN(W^Q_t h_t); student features give keys k_s = ReLU(BN(W^K_s h_s)); the shared bilinear LBN(d, T*d)
 * turns every key into T blocks u[b,s,t,:] with BN statistics pooled over all B*S rows; the logits
 * e[b,t,s] = (<u[b,s,t], q_t[b]> + <p_T[t], p_S[s]>) / sqrt(d) are softmaxed over student layers, and the loss is
 * sum_t mean_b sum_s alpha[b,t,s] D[b,t,s] with D per {@link FeatureMatch}. Everything is a composition of engine
 * ops, so the gradients come from the tape; the attention is not detached, the teacher is.
 *
 * <p>The distiller is a Module of its own: its parameters are trained with the student by the same optimiser, are
 * flagged non-prunable, and are not part of the student's size. Positional encodings are stored flat, p_T as
 * 1 x (T*d) with row t in columns [t*d, (t+1)*d), so that a row is a column slice.
 */
public final class AttentionDistiller implements Module {
    private static final float NORM_EPS = 1e-12f;

    private final SadLayout layout;
    private final int d;
    private final int[] teacherWidths;
    private final int[] studentWidths;
    private final int[] widthIndex;
    private final Linear[] query;
    private final BatchNorm1d[] queryBn;
    private final Linear[] key;
    private final BatchNorm1d[] keyBn;
    private Linear bilinear;
    private final PooledBatchNorm bilinearBn;
    private final Linear[][] projection;
    private final Parameter posTeacher;
    private final Parameter posStudent;
    private final List<Parameter> params = new ArrayList<>();
    private final DegeneracyGuard guard = new DegeneracyGuard();

    /** The attention weights and distances of one forward pass, next to the loss. */
    public record Outcome(Tensor loss, List<Tensor> attention, List<Tensor> distance) {
    }

    public AttentionDistiller(Backend backend, String name, SadLayout layout, SplittableRandom rng) {
        this.layout = layout;
        this.d = layout.qkDim();
        this.teacherWidths = layout.teacherWidths();
        this.studentWidths = layout.studentWidths();
        int tCount = layout.teachers();
        this.widthIndex = new int[tCount];
        for (int t = 0; t < tCount; t++) {
            widthIndex[t] = layout.widthIndex(t);
        }
        int sCount = layout.students();
        query = new Linear[tCount];
        queryBn = new BatchNorm1d[tCount];
        key = new Linear[sCount];
        keyBn = new BatchNorm1d[sCount];
        projection = new Linear[sCount][layout.distinctTeacherWidths().length];
        PooledBatchNorm pooled = null;
        for (SadLayout.LayerSpec spec : layout.layers()) {
            switch (spec.role()) {
                case QUERY: {
                    String n = name + ".query." + spec.index();
                    query[spec.index()] = linear(backend, n, spec, rng);
                    queryBn[spec.index()] = new BatchNorm1d(backend, n + ".bn", spec.out());
                    break;
                }
                case KEY: {
                    String n = name + ".key." + spec.index();
                    key[spec.index()] = linear(backend, n, spec, rng);
                    keyBn[spec.index()] = new BatchNorm1d(backend, n + ".bn", spec.out());
                    break;
                }
                case BILINEAR:
                    bilinear = linear(backend, name + ".bilinear", spec, rng);
                    pooled = new PooledBatchNorm(backend, name + ".bilinear.bn", spec.out(), 1e-5f, 0.1f);
                    break;
                case PROJECTION:
                    projection[spec.index()][spec.target()] = linear(backend,
                            name + ".proj." + spec.index() + "." + spec.target(), spec, rng);
                    break;
                default:
                    throw new AssertionError(spec.role());
            }
        }
        bilinearBn = pooled;
        posTeacher = xavierNormal(backend, name + ".p_t", tCount, d, rng);
        posStudent = xavierNormal(backend, name + ".p_s", sCount, d, rng);
        for (int t = 0; t < tCount; t++) {
            params.addAll(query[t].parameters());
            params.addAll(queryBn[t].parameters());
        }
        for (int s = 0; s < sCount; s++) {
            params.addAll(key[s].parameters());
            params.addAll(keyBn[s].parameters());
        }
        params.addAll(bilinear.parameters());
        params.addAll(bilinearBn.parameters());
        params.add(posTeacher);
        params.add(posStudent);
        for (Linear[] row : projection) {
            for (Linear p : row) {
                if (p != null) {
                    params.addAll(p.parameters());
                }
            }
        }
    }

    /** PyTorch's nn.Linear default init, U(-1/sqrt(in), 1/sqrt(in)), in a layer pruning never touches. */
    private static Linear linear(Backend backend, String name, SadLayout.LayerSpec spec, SplittableRandom rng) {
        double bound = 1.0 / Math.sqrt(spec.in());
        float[] w = new float[spec.in() * spec.out()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        float[] b = null;
        if (spec.bias()) {
            b = new float[spec.out()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
        }
        return Linear.of(backend, name, spec.in(), spec.out(), w, b, false);
    }

    /** Xavier-normal init of a rows x cols encoding, std = sqrt(2 / (rows + cols)), stored as 1 x (rows*cols). */
    private static Parameter xavierNormal(Backend backend, String name, int rows, int cols, SplittableRandom rng) {
        double std = Math.sqrt(2.0 / (rows + cols));
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (Gaussian.next(rng) * std);
        }
        return new Parameter(name, Tensor.of(backend, 1, rows * cols, v, true), false);
    }

    /** The SAD loss for the student's and the (frozen) teacher's hidden features. */
    public Tensor loss(List<Tensor> studentFeatures, List<Tensor> teacherFeatures) {
        return forward(studentFeatures, teacherFeatures).loss();
    }

    public Outcome forward(List<Tensor> studentFeatures, List<Tensor> teacherFeatures) {
        int tCount = layout.teachers();
        int sCount = layout.students();
        checkFeatures(studentFeatures, studentWidths, "student");
        checkFeatures(teacherFeatures, teacherWidths, "teacher");
        int batch = studentFeatures.get(0).rows();
        List<Tensor> teacher = new ArrayList<>(tCount);
        for (Tensor h : teacherFeatures) {
            if (h.rows() != batch) {
                throw new IllegalArgumentException("teacher features have " + h.rows() + " rows, the student's "
                        + batch);
            }
            teacher.add(detach(h));
        }

        // Queries, keys, and the bilinear keys with BN statistics pooled over every (sample, student layer) row.
        Tensor[] q = new Tensor[tCount];
        for (int t = 0; t < tCount; t++) {
            q[t] = queryBn[t].forward(query[t].forward(teacher.get(t)));
        }
        List<Tensor> bilinearIn = new ArrayList<>(sCount);
        for (int s = 0; s < sCount; s++) {
            Tensor k = Ops.relu(keyBn[s].forward(key[s].forward(studentFeatures.get(s))));
            bilinearIn.add(bilinear.forward(k));
        }
        List<Tensor> u = bilinearBn.forward(bilinearIn);

        Tensor[] valueTeacher = new Tensor[tCount];
        for (int t = 0; t < tCount; t++) {
            valueTeacher[t] = valueOf(teacher.get(t));
        }
        Tensor[][] valueStudent = studentValues(studentFeatures);

        float invSqrtD = (float) (1.0 / Math.sqrt(d));
        List<Tensor> attention = new ArrayList<>(tCount);
        List<Tensor> distance = new ArrayList<>(tCount);
        Tensor loss = null;
        for (int t = 0; t < tCount; t++) {
            Tensor pt = Ops.sliceCols(posTeacher.value(), t * d, (t + 1) * d);
            Tensor[] logits = new Tensor[sCount];
            Tensor[] dist = new Tensor[sCount];
            for (int s = 0; s < sCount; s++) {
                Tensor score = Ops.rowDot(Ops.sliceCols(u.get(s), t * d, (t + 1) * d), q[t]);
                Tensor ps = Ops.sliceCols(posStudent.value(), s * d, (s + 1) * d);
                logits[s] = Ops.add(score, Ops.sum(Ops.mul(pt, ps)));
                dist[s] = distance(valueStudent[s][widthIndex[t]], valueTeacher[t], t, batch);
            }
            Tensor alpha = attentionWeights(Ops.concatCols(logits), invSqrtD);
            Tensor dt = Ops.concatCols(dist);
            attention.add(alpha);
            distance.add(dt);
            Tensor term = layout.match() == FeatureMatch.SIMILARITY
                    ? Ops.sum(Ops.mul(Ops.meanRows(alpha), dt))
                    : Ops.scale(Ops.sum(Ops.mul(alpha, dt)), 1f / batch);
            loss = loss == null ? term : Ops.add(loss, term);
        }
        guard.check(distance, studentFeatures, teacherFeatures, layout.match());
        return new Outcome(loss, attention, distance);
    }

    /** softmax over student layers of the raw logits [B x S] times 1/sqrt(d) (the positional term already added). */
    public static Tensor attentionWeights(Tensor rawLogits, float invSqrtD) {
        return Ops.softmax(Ops.scale(rawLogits, invSqrtD));
    }

    private Tensor valueOf(Tensor h) {
        switch (layout.match()) {
            case PROJECTION:
                return Ops.l2NormalizeRows(h, NORM_EPS);
            case PROJECTION_SQUARED:
                return Ops.l2NormalizeRows(Ops.square(h), NORM_EPS);
            case SIMILARITY:
                return Ops.l2NormalizeRows(Ops.matmul(h, h, false, true), NORM_EPS);
            case NAIVE_VALUE_MAP:
                // Channel mean of squares of a 1x1 map: one number per sample, which normalises to 1.
                return Ops.l2NormalizeRows(Ops.meanCols(Ops.square(h)), NORM_EPS);
            default:
                throw new AssertionError(layout.match());
        }
    }

    private Tensor[][] studentValues(List<Tensor> studentFeatures) {
        int widths = layout.distinctTeacherWidths().length;
        Tensor[][] v = new Tensor[studentFeatures.size()][widths];
        for (int s = 0; s < v.length; s++) {
            Tensor h = studentFeatures.get(s);
            if (layout.match().usesProjection()) {
                for (int w = 0; w < widths; w++) {
                    v[s][w] = valueOf(projection[s][w].forward(h));
                }
            } else {
                Tensor shared = valueOf(h);
                for (int w = 0; w < widths; w++) {
                    v[s][w] = shared;
                }
            }
        }
        return v;
    }

    /** D for one (teacher layer, student layer) pair: B x 1 per sample, or 1 x 1 per batch for SIMILARITY. */
    private Tensor distance(Tensor vs, Tensor vt, int t, int batch) {
        switch (layout.match()) {
            case PROJECTION:
            case PROJECTION_SQUARED:
                return Ops.scale(Ops.squaredDistanceRows(vs, vt), 1f / teacherWidths[t]);
            case SIMILARITY:
                return Ops.scale(Ops.sumRows(Ops.squaredDistanceRows(vs, vt)), 1f / ((float) batch * batch));
            case NAIVE_VALUE_MAP:
                return Ops.squaredDistanceRows(vs, vt);
            default:
                throw new AssertionError(layout.match());
        }
    }

    private static void checkFeatures(List<Tensor> features, int[] widths, String who) {
        if (features.size() != widths.length) {
            throw new IllegalArgumentException("the distiller was built for " + widths.length + " " + who
                    + " layers, got " + features.size() + " feature tensors");
        }
        for (int i = 0; i < widths.length; i++) {
            if (features.get(i).cols() != widths[i]) {
                throw new IllegalArgumentException(who + " layer " + i + " should have width " + widths[i] + ", got "
                        + features.get(i).shape());
            }
        }
    }

    /** The same values with no tape behind them: the teacher gets no gradient. */
    static Tensor detach(Tensor t) {
        return Tensor.wrap(t.backend(), t.data(), t.rows(), t.cols(), false);
    }

    public SadLayout layout() {
        return layout;
    }

    public Linear query(int t) {
        return query[t];
    }

    public BatchNorm1d queryNorm(int t) {
        return queryBn[t];
    }

    public Linear key(int s) {
        return key[s];
    }

    public BatchNorm1d keyNorm(int s) {
        return keyBn[s];
    }

    public Linear bilinear() {
        return bilinear;
    }

    public PooledBatchNorm bilinearNorm() {
        return bilinearBn;
    }

    /** P_{s,w}, or null unless the match uses projections. */
    public Linear projection(int s, int widthIndex) {
        return projection[s][widthIndex];
    }

    /** p_T, stored 1 x (T*d). */
    public Parameter teacherPositions() {
        return posTeacher;
    }

    /** p_S, stored 1 x (S*d). */
    public Parameter studentPositions() {
        return posStudent;
    }

    @Override
    public void train(boolean training) {
        for (BatchNorm1d bn : queryBn) {
            bn.train(training);
        }
        for (BatchNorm1d bn : keyBn) {
            bn.train(training);
        }
        bilinearBn.train(training);
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public List<Buffer> buffers() {
        List<Buffer> bs = new ArrayList<>();
        for (BatchNorm1d bn : queryBn) {
            bs.addAll(bn.buffers());
        }
        for (BatchNorm1d bn : keyBn) {
            bs.addAll(bn.buffers());
        }
        bs.addAll(bilinearBn.buffers());
        return bs;
    }
}
