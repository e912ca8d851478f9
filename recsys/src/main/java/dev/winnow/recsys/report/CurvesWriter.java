package dev.winnow.recsys.report;

import dev.winnow.engine.io.AtomicFile;
import dev.winnow.recsys.method.CurvePoint;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes curves.csv: one row per method, seed and epoch. {@code density} is over everything the run prunes,
 * {@code density_mlp} (last, added later) over the MLP's prunable weights alone.
 */
public final class CurvesWriter {
    public static final String HEADER = "method,seed,epoch,round,density,train_loss,lr,val_mae,val_mse,val_rmse,"
            + "test_mae,test_mse,test_rmse,event,cumulative_flops,cumulative_seconds,density_mlp";

    private CurvesWriter() {
    }

    public static void write(Path file, List<CurvePoint> points) throws IOException {
        AtomicFile.write(file, out -> {
            // a Writer, not a PrintWriter: PrintWriter keeps write errors (a full disk) to itself and half a file
            // would be renamed into place
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(HEADER + "\n");
            for (CurvePoint p : points) {
                w.write(String.format(Locale.ROOT,
                        "%s,%d,%d,%d,%.6f,%.6f,%.6g,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%s,%.6g,%.3f,%.6f%n",
                        p.method(), p.seed(), p.epoch(), p.round(), p.density(), p.trainLoss(), p.learningRate(),
                        p.valMae(), p.valMse(), p.valRmse(), p.testMae(), p.testMse(), p.testRmse(), p.event(),
                        p.cumulativeFlops(), p.cumulativeSeconds(), p.mlpDensity()));
            }
            w.flush();
        });
    }
}
