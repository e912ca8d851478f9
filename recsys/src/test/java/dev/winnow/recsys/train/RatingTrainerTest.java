package dev.winnow.recsys.train;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.RatingSplit;
import dev.winnow.recsys.data.Splits;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The NCF trainer: bitwise reproducible, allocation-free after warm-up, and loud when training diverges. */
class RatingTrainerTest {
    /** A small synthetic set (about 20 batches per epoch) so three epochs take well under a second. */
    private static RatingSplit smallSplit(long seed) {
        RatingData all = SyntheticRatings.generate(seed, 150, 200, 6000);
        return Splits.random(all, 0.0, 0.1, seed);
    }

    /** Trains the student for three epochs and returns every parameter by name. */
    private static Map<String, float[]> trainStudent(long seed, int threads) {
        RatingSplit split = smallSplit(seed);
        try (Backend backend = new CpuBackend(threads)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, split.train().users(), split.train().items(),
                    seed);
            RatingTrainer trainer = new RatingTrainer(model, backend, new TrainConfig(3, 256, 1e-3f, seed));
            EpochReport last = trainer.fit(split.train(), split.test(), null);
            assertEquals(3, last.epoch());
            assertTrue(Double.isFinite(last.testRmse()), "test RMSE " + last.testRmse());
            Map<String, float[]> params = new LinkedHashMap<>();
            for (Parameter p : model.parameters()) {
                params.put(p.name(), p.value().toArray());
            }
            return params;
        }
    }

    private static void assertBitwiseIdentical(Map<String, float[]> a, Map<String, float[]> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what + ": parameter names");
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            assertEquals(x.length, y.length, what + ": " + e.getKey() + " size");
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    fail(what + ": " + e.getKey() + "[" + i + "] differs: " + x[i] + " vs " + y[i]);
                }
            }
        }
    }

    /** The first seed-7 run on one thread, shared by the tests that compare against it (each run takes a while). */
    private static Map<String, float[]> seven;

    private static synchronized Map<String, float[]> sevenOnOneThread() {
        if (seven == null) {
            seven = trainStudent(7, 1);
        }
        return seven;
    }

    @Test
    void sameSeedAndOneThreadGiveBitwiseIdenticalParametersAfterThreeEpochs() {
        assertBitwiseIdentical(sevenOnOneThread(), trainStudent(7, 1), "seed 7, 1 thread");
    }

    @Test
    void sameSeedAndTwoThreadsGiveBitwiseIdenticalParametersAfterThreeEpochs() {
        Map<String, float[]> two = trainStudent(7, 2);
        assertBitwiseIdentical(two, trainStudent(7, 2), "seed 7, 2 threads");
        // the fixed partition sums every output in the same order whatever the thread count
        assertBitwiseIdentical(sevenOnOneThread(), two, "seed 7, 1 vs 2 threads");
    }

    @Test
    void aDifferentSeedGivesDifferentParameters() {
        Map<String, float[]> a = sevenOnOneThread();
        Map<String, float[]> b = trainStudent(8, 1);
        int differing = 0;
        int total = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name);
            float[] y = b.get(name);
            for (int i = 0; i < x.length; i++) {
                total++;
                if (x[i] != y[i]) {
                    differing++;
                }
            }
        }
        assertTrue(differing > total * 0.9, differing + " of " + total + " parameters differ");
    }

    /** A CPU backend that counts every buffer it hands out, whoever asks (the pool or an op directly). */
    private static Backend countingBackend(Backend real, AtomicLong allocations) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().equals("allocate") || method.getName().equals("allocateInts")) {
                allocations.incrementAndGet();
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    @Test
    void aTrainingStepAllocatesNoBackendBuffersAfterWarmUp() {
        assertNoBackendBuffersAfterWarmUp("adam");
    }

    @Test
    void aLazyAdamTrainingStepAllocatesNoBackendBuffersAfterWarmUp() {
        assertNoBackendBuffersAfterWarmUp("lazy-adam");
    }

    private static void assertNoBackendBuffersAfterWarmUp(String optimizer) {
        RatingSplit split = smallSplit(3);
        RatingData train = split.train();
        AtomicLong backendAllocations = new AtomicLong();
        try (Backend real = new CpuBackend(1)) {
            Backend backend = countingBackend(real, backendAllocations);
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, train.users(), train.items(), 3);
            RatingTrainer trainer = new RatingTrainer(model, backend, new TrainConfig(1, 256, 1e-3f, 3), optimizer);
            int bs = 256;
            int[] u = new int[bs];
            int[] it = new int[bs];
            float[] r = new float[bs];
            long poolAfterStep2 = -1;
            long backendAfterStep2 = -1;
            List<Long> counts = new ArrayList<>();
            for (int step = 1; step <= 50; step++) {
                int start = ((step - 1) * bs) % (train.size() - bs);
                System.arraycopy(train.user(), start, u, 0, bs);
                System.arraycopy(train.item(), start, it, 0, bs);
                System.arraycopy(train.rating(), start, r, 0, bs);
                float loss = trainer.step(u, it, r, bs);
                assertTrue(Float.isFinite(loss), "loss at step " + step);
                counts.add(backendAllocations.get());
                if (step == 2) {
                    poolAfterStep2 = trainer.pool().allocations();
                    backendAfterStep2 = backendAllocations.get();
                }
            }
            assertTrue(poolAfterStep2 > 0, "the pool must be in use");
            assertEquals(poolAfterStep2, trainer.pool().allocations(), "pool allocations after warm-up");
            // nothing may bypass the pool either: an op or a backward that allocated its own scratch would show here
            assertEquals(backendAfterStep2, backendAllocations.get(),
                    "backend allocations after each step: " + counts);
        }
    }

    @Test
    void anAbsurdLearningRateStopsTrainingWithAMessageNamingModelEpochAndLoss() {
        RatingSplit split = smallSplit(4);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, split.train().users(), split.train().items(), 4);
            RatingTrainer trainer = new RatingTrainer(model, backend, new TrainConfig(3, 256, 1e12f, 4));
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.fit(split.train(), split.test(), null));
            String m = e.getMessage();
            assertTrue(m.contains("student") && m.contains("epoch 1") && m.contains("loss"), m);
            assertTrue(m.contains("NaN") || m.contains("Infinity"), "the message shows the bad value: " + m);
        }
    }

    @Test
    void aNaNRatingStopsTrainingAtTheEpochWhereItAppears() {
        RatingSplit split = smallSplit(5);
        RatingData train = split.train();
        float[] ratings = train.rating().clone();
        ratings[ratings.length / 2] = Float.NaN;
        RatingData poisoned = new RatingData(train.name(), train.users(), train.items(), train.user(), train.item(),
                ratings, train.time(), train.minRating(), train.maxRating());
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, train.users(), train.items(), 5);
            RatingTrainer trainer = new RatingTrainer(model, backend, new TrainConfig(2, 256, 1e-3f, 5));
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.fit(poisoned, split.test(), null));
            String m = e.getMessage();
            assertTrue(m.contains("student") && m.contains("epoch 1") && m.contains("loss became NaN"), m);
        }
    }

    @Test
    void aMeanLossFarAboveTheFirstEpochsStopsWithTheEpochLevelMessage() {
        // one batch per epoch: no batch has an earlier one in its epoch to be compared with, only the epochs do
        RatingSplit split = smallSplit(6);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel model = new NcfModel(backend, NcfConfig.STUDENT, split.train().users(), split.train().items(), 6);
            RatingTrainer trainer = new RatingTrainer(model, backend,
                    new TrainConfig(20, Integer.MAX_VALUE, 10f, 6));
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> trainer.fit(split.train(), null, null));
            String m = e.getMessage();
            assertTrue(m.startsWith("student: mean loss became ") && m.contains("in the first epoch"), m);
            assertTrue(!m.contains("NaN") && !m.contains("Infinity"), "a finite loss 1e4 times the first: " + m);
        }
    }
}
