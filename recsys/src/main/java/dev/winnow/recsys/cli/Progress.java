package dev.winnow.recsys.cli;

import dev.winnow.recsys.train.EpochReport;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;

/** Epoch progress: a live bar on a terminal, one plain line per epoch otherwise (logs, CI, pipes). */
abstract class Progress implements AutoCloseable {

    static Progress create(PrintStream out, int epochs) {
        if (System.console() != null && !"dumb".equals(System.getenv("TERM"))) {
            return new Bar(out, epochs);
        }
        return new Lines(out);
    }

    abstract void epoch(EpochReport r);

    @Override
    public abstract void close();

    static String line(EpochReport r) {
        return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  test RMSE %.4f  MAE %.4f  (%.1fs)",
                r.epoch(), r.epochs(), r.trainLoss(), r.testRmse(), r.testMae(), r.seconds());
    }

    private static final class Lines extends Progress {
        private final PrintStream out;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        void epoch(EpochReport r) {
            out.println(line(r));
            out.flush();
        }

        @Override
        public void close() {
        }
    }

    private static final class Bar extends Progress {
        private final ProgressBar bar;
        private final PrintStream out;

        Bar(PrintStream out, int epochs) {
            this.out = out;
            this.bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(epochs)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                    .build();
        }

        @Override
        void epoch(EpochReport r) {
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f RMSE %.4f", r.trainLoss(), r.testRmse()));
            bar.step();
            if (r.epoch() == r.epochs()) {
                bar.close();
            }
            out.println(line(r));
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
