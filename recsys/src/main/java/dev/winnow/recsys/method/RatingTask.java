package dev.winnow.recsys.method;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.report.DatasetInfo;

/** Rating prediction (MovieLens or the synthetic set) with NCF-MLP teacher and student. */
public final class RatingTask implements RegressionTask {
    private final RatingSplit split;
    private final String name;
    private final NcfConfig teacher;
    private final NcfConfig student;
    /** The loaded data set whose raw ids saved models keep (null: none, as for the synthetic set). */
    private final dev.winnow.recsys.data.LoadedRatings source;

    public RatingTask(String name, RatingSplit split, NcfConfig teacher, NcfConfig student) {
        this(name, split, teacher, student, null);
    }

    /** With {@code source}, the data set the split's ids index, so that saved models export with its raw ids. */
    public RatingTask(String name, RatingSplit split, NcfConfig teacher, NcfConfig student,
                      dev.winnow.recsys.data.LoadedRatings source) {
        if (split.validation().size() == 0) {
            throw new IllegalArgumentException(name + ": the methods choose tickets on validation data, and this "
                    + "split has none");
        }
        this.name = name;
        this.split = split;
        this.teacher = teacher;
        this.student = student;
        this.source = source;
    }

    private RatingData part(Part p) {
        switch (p) {
            case TRAIN: return split.train();
            case VALIDATION: return split.validation();
            case TEST: return split.test();
            default: throw new AssertionError(p);
        }
    }

    @Override
    public DatasetInfo info() {
        return new DatasetInfo(name, split.train().size(), split.test().size(), null);
    }

    @Override
    public int size(Part p) {
        return part(p).size();
    }

    @Override
    public float[] targets(Part p) {
        return part(p).rating();
    }

    @Override
    public BatchInput newInput(Backend backend, int capacity) {
        return new BatchInput.Ids(new IndexTensor(backend, capacity), new IndexTensor(backend, capacity));
    }

    @Override
    public void fill(BatchInput input, Part p, int[] rows, int from, int len) {
        BatchInput.Ids ids = (BatchInput.Ids) input;
        RatingData d = part(p);
        int[] u = new int[len];
        int[] i = new int[len];
        for (int k = 0; k < len; k++) {
            int row = rows == null ? from + k : rows[from + k];
            u[k] = d.user()[row];
            i[k] = d.item()[row];
        }
        ids.users().set(u, 0, len);
        ids.items().set(i, 0, len);
    }

    @Override
    public TapModel newModel(Backend backend, Role role, long seed) {
        RatingData d = split.train();
        switch (role) {
            case TEACHER: return new NcfModel(backend, teacher, d.users(), d.items(), seed);
            case STUDENT: return new NcfModel(backend, student, d.users(), d.items(), seed);
            default:
                throw new IllegalArgumentException("DCNN predicts movie ratings from movie features; it does not "
                        + "apply to user-item rating data (" + name + ")");
        }
    }

    @Override
    public String saveModel(TapModel model, long seed, java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path file = dev.winnow.recsys.checkpoint.CheckpointFile.write(
                dev.winnow.recsys.checkpoint.Checkpoint.capture((NcfModel) model, split.train(), seed, source),
                dir);
        return "wrote " + file + " (winnow export --checkpoint " + dir + " --out model.wnw)";
    }

    @Override
    public float minTarget() {
        return split.train().minRating();
    }

    @Override
    public float maxTarget() {
        return split.train().maxRating();
    }
}
