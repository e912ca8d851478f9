package dev.winnow.recsys.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures energy from hardware counters when the machine exposes them: Intel/AMD RAPL package counters under
 * /sys/class/powercap (microjoules, wrapping at max_energy_range_uj). Where no counter is readable it reports null;
 * it never estimates from TDP or utilisation.
 */
public final class EnergyMeter {
    private final List<Path> counters;
    private final List<Long> ranges;
    private long[] start;

    private EnergyMeter(List<Path> counters, List<Long> ranges) {
        this.counters = counters;
        this.ranges = ranges;
    }

    /** A meter over every readable top-level RAPL domain (none on machines without RAPL, e.g. most VMs). */
    public static EnergyMeter rapl() {
        List<Path> found = new ArrayList<>();
        List<Long> ranges = new ArrayList<>();
        Path root = Path.of("/sys/class/powercap");
        if (Files.isDirectory(root)) {
            try (var dirs = Files.list(root)) {
                for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                    String name = d.getFileName().toString();
                    // top-level packages only (intel-rapl:0), not their sub-zones (intel-rapl:0:0)
                    if (name.matches("[a-z-]+rapl:\\d+")) {
                        Path e = d.resolve("energy_uj");
                        Path r = d.resolve("max_energy_range_uj");
                        if (Files.isReadable(e)) {
                            long range = Files.isReadable(r) ? Long.parseLong(Files.readString(r).trim())
                                    : Long.MAX_VALUE;
                            found.add(e);
                            ranges.add(range);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                found.clear();
            }
        }
        return new EnergyMeter(found, ranges);
    }

    public boolean available() {
        return !counters.isEmpty();
    }

    /** Why energy is or is not reported, for logs and README. */
    public String describe() {
        return available() ? "RAPL counters " + counters : "no RAPL energy counters readable here: energy reported as null";
    }

    public void start() {
        start = read();
    }

    /** Joules since {@link #start()}, or null when not measurable. */
    public Double stop() {
        if (!available() || start == null) {
            return null;
        }
        long[] end = read();
        if (end == null) {
            return null;
        }
        double joules = 0;
        for (int i = 0; i < end.length; i++) {
            long d = end[i] - start[i];
            if (d < 0) {
                d += ranges.get(i);
            }
            joules += d / 1e6;
        }
        return joules;
    }

    private long[] read() {
        long[] v = new long[counters.size()];
        try {
            for (int i = 0; i < v.length; i++) {
                v[i] = Long.parseLong(Files.readString(counters.get(i)).trim());
            }
            return v;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
