package dev.winnow.bench;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.runtime.MovieRatingModel;
import dev.winnow.recsys.checkpoint.MovieCheckpoint;
import dev.winnow.recsys.model.FeatureMlp;
import dev.winnow.recsys.movies.FeatureGroup;
import dev.winnow.recsys.movies.Movie;
import dev.winnow.recsys.movies.MovieFeatures;
import dev.winnow.recsys.movies.SyntheticMovies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The edge runtime's movie feature model (the companion of {@link RuntimeBench}, which needs the NCF student file):
 * one prediction from raw field values, through a reused {@link MovieRatingModel.Request} (the allocation-free path)
 * and through the {@code Map} convenience. SampleTime mode, so JMH reports p50/p90/p99 per call.
 * <p>The model is a movie feature student over every feature group (hash dim 64, vocabularies fitted on 1500 synthetic
 * films), encoded dense as {@code winnow export} writes it, or the .wnw file {@code -p movieModel=FILE} names.
 * Latency depends on the input width and the MLP's shape, not on trained values, so an untrained student costs what a
 * trained one does. The inputs are 256 synthetic films (numbers, a date, lists and a paragraph of overview text each).
 * <p>{@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar RuntimeBenchMovie}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RuntimeBenchMovie {

    @Param({""})
    public String movieModel;

    private MovieRatingModel m;
    private MovieRatingModel.Request[] requests;
    private List<Map<String, String>> maps;
    private int next;

    @Setup(Level.Trial)
    public void load() throws Exception {
        List<Movie> films = SyntheticMovies.generate(SyntheticMovies.DEFAULT_SIZE, 1);
        if (movieModel.isEmpty()) {
            MovieFeatures f = MovieFeatures.fit(films, FeatureGroup.ALL,
                    MovieFeatures.DEFAULT_HASH_DIM, MovieFeatures.DEFAULT_MIN_COUNT);
            try (Backend backend = new CpuBackend(1)) {
                byte[] b = MovieCheckpoint.capture(f, FeatureMlp.student(backend, f.width(), 1).mlp(), 6.4f, 1f, 10f,
                        "synthetic", 1).toExport(Map.of()).encode(0);
                m = MovieRatingModel.parse(b, b.length, "synthetic student");
            }
        } else {
            m = MovieRatingModel.load(Path.of(movieModel));
        }
        requests = new MovieRatingModel.Request[256];
        maps = new ArrayList<>();
        for (int k = 0; k < requests.length; k++) {
            Map<String, String> raw = films.get(k).fields();
            maps.add(raw);
            requests[k] = m.newRequest();
            for (int field = 0; field < m.fields().size(); field++) {
                requests[k].set(field, raw.get(m.fields().get(field)));
            }
        }
        System.out.println("movie model: " + m);
    }

    @Benchmark
    public float predictRequest() {
        return m.predict(requests[next++ & 255]);
    }

    @Benchmark
    public float predictMap() {
        return m.predict(maps.get(next++ & 255));
    }
}
