import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.optim.Adam;
import dev.winnow.engine.optim.Optimizer;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Tensor;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times optimizer.step() alone, dense Adam against lazy Adam, on two NCF students fed the same random batches of 256
 * from the MovieLens-100K-shaped synthetic data, taking turns every step (bench/RESULTS.md, "Row-sparse Adam").
 * Build the project, then from the repository root:
 * <pre>
 * CP=engine/target/classes:recsys/target/classes
 * javac -cp $CP -d /tmp/ost bench/lazy-adam/OptimizerStepTiming.java
 * java --add-modules jdk.incubator.vector -cp $CP:/tmp/ost OptimizerStepTiming
 * </pre>
 */
public class OptimizerStepTiming {
    public static void main(String[] args) {
        RatingData data = SyntheticRatings.generate(0);
        int bs = 256;
        int warm = 2000;
        int timed = 4000;
        try (Backend be = new CpuBackend(1)) {
            NcfModel[] models = new NcfModel[2];
            Optimizer[] opts = new Optimizer[2];
            for (int k = 0; k < 2; k++) {
                models[k] = new NcfModel(be, NcfConfig.STUDENT, data.users(), data.items(), 0);
                opts[k] = k == 0 ? new Adam(models[k].parameters(), 1e-3f)
                        : Adam.lazy(models[k].parameters(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false);
            }
            IndexTensor users = new IndexTensor(be, bs);
            IndexTensor items = new IndexTensor(be, bs);
            int[] u = new int[bs];
            int[] it = new int[bs];
            float[] r = new float[bs];
            Tensor target = Tensor.zeros(be, bs, 1, false);
            SplittableRandom rng = new SplittableRandom(1);
            double[][] micros = new double[2][timed];
            long touched = 0;
            for (int s = 0; s < warm + timed; s++) {
                for (int k = 0; k < bs; k++) {
                    int row = rng.nextInt(data.size());
                    u[k] = data.user()[row];
                    it[k] = data.item()[row];
                    r[k] = data.rating()[row];
                }
                users.set(u, 0, bs);
                items.set(it, 0, bs);
                be.upload(r, 0, target.data(), 0, bs);
                for (int k = 0; k < 2; k++) {
                    opts[k].zeroGrad();
                    Loss.mse(models[k].forward(users, items), target).backward();
                    long t0 = System.nanoTime();
                    opts[k].step();
                    long t1 = System.nanoTime();
                    if (s >= warm) {
                        micros[k][s - warm] = (t1 - t0) / 1e3;
                    }
                }
                if (s >= warm) {
                    touched += models[1].users().table().value().touchedRows().count()
                            + models[1].items().table().value().touchedRows().count();
                }
            }
            for (int k = 0; k < 2; k++) {
                Arrays.sort(micros[k]);
                System.out.printf("%s optimizer.step() median %.1f us%n", k == 0 ? "adam" : "lazy-adam",
                        micros[k][timed / 2]);
            }
            System.out.printf("rows looked up per batch (users + items, distinct): %.0f of %d%n",
                    (double) touched / timed, data.users() + data.items());
        }
    }
}
