package dev.winnow.recsys.report;

import dev.winnow.engine.io.AtomicFile;
import dev.winnow.recsys.method.CurvePoint;
import dev.winnow.recsys.method.MethodOutcome;
import dev.winnow.recsys.method.RoundRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * PNG plots of a comparison (headless): test MAE and MSE per epoch for each method with prune and rewind events
 * marked (the paper's Figures 2-3), and test error against density for the pruning methods.
 */
public final class Plots {
    private Plots() {
    }

    public static List<Path> write(Path dir, List<MethodOutcome> outcomes) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> written = new ArrayList<>();
        written.add(curve(dir.resolve("test_mae.png"), "Test MAE per epoch", "test MAE", outcomes,
                CurvePoint::testMae));
        written.add(curve(dir.resolve("test_mse.png"), "Test MSE per epoch", "test MSE", outcomes,
                CurvePoint::testMse));
        written.add(errorVsDensity(dir.resolve("error_vs_density.png"), outcomes));
        return written;
    }

    private static Path curve(Path file, String title, String yLabel, List<MethodOutcome> outcomes,
                              ToDoubleFunction<CurvePoint> metric) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(title).xAxisTitle("epoch")
                .yAxisTitle(yLabel).build();
        chart.getStyler().setMarkerSize(6);
        List<Double> ex = new ArrayList<>();
        List<Double> ey = new ArrayList<>();
        long firstSeed = outcomes.isEmpty() ? 0 : outcomes.get(0).seed();
        for (MethodOutcome o : outcomes) {
            if (o.seed() != firstSeed || o.curve().isEmpty()) {
                continue; // one seed per method keeps the figure readable
            }
            double[] x = new double[o.curve().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                CurvePoint p = o.curve().get(i);
                x[i] = p.epoch();
                y[i] = metric.applyAsDouble(p);
                if (!p.event().isEmpty()) {
                    ex.add(x[i]);
                    ey.add(y[i]);
                }
            }
            XYSeries s = chart.addSeries(o.method().label(), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (!ex.isEmpty()) {
            XYSeries events = chart.addSeries("prune / rewind event", ex, ey);
            events.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            events.setMarker(SeriesMarkers.DIAMOND);
        }
        return save(chart, file);
    }

    private static Path errorVsDensity(Path file, List<MethodOutcome> outcomes) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title("Test MSE against density (best "
                + "validation epoch of each pruning level)").xAxisTitle("density").yAxisTitle("test MSE").build();
        boolean any = false;
        for (MethodOutcome o : outcomes) {
            if (o.rounds().isEmpty()) {
                continue;
            }
            double[] x = new double[o.rounds().size()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                RoundRecord r = o.rounds().get(i);
                x[i] = r.density();
                y[i] = r.testMse();
            }
            chart.addSeries(o.method().label() + " seed " + o.seed(), x, y);
            any = true;
        }
        if (!any) {
            chart.addSeries("no pruning method in this comparison", new double[] {1}, new double[] {0});
        }
        return save(chart, file);
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        AtomicFile.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }
}
