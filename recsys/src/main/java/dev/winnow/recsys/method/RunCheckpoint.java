package dev.winnow.recsys.method;

import dev.winnow.engine.io.AtomicFile;
import dev.winnow.engine.runtime.InputFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A method run's {@link RunState} on disk: written to a temporary file and renamed (a reader never sees half a
 * checkpoint), with a CRC32 over the whole content; a truncated or corrupt file is refused with a message.
 */
public final class RunCheckpoint {
    private static final long MAGIC = 0x574E57434B505431L; // "WNWCKPT1"
    /** 3 added the MLP-only density to curve points and rounds; a version 2 checkpoint still resumes. */
    private static final int VERSION = 3;
    private static final int VERSION_WITHOUT_MLP_DENSITY = 2;
    /** Upper bound on any single array, so a corrupt length never allocates gigabytes. */
    private static final int MAX_ARRAY = 1 << 28;

    private RunCheckpoint() {
    }

    /** Writes the state of (method, seed) whose configuration fingerprint is {@code config}. */
    public static void write(Path file, String method, long seed, String config, RunState s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(method);
        out.writeLong(seed);
        out.writeUTF(config);
        out.writeInt(s.epoch);
        out.writeInt(s.round);
        out.writeInt(s.phase);
        out.writeInt(s.phaseStart);
        out.writeLong(s.steps);
        out.writeDouble(s.cumulativeFlops);
        out.writeDouble(s.cumulativeSeconds);
        out.writeDouble(s.bestValMse);
        out.writeInt(s.bestEpoch);
        out.writeInt(s.bestRound);
        out.writeDouble(s.levelBestValMse);
        out.writeInt(s.levelBestEpoch);
        out.writeInt(s.curve.size());
        for (CurvePoint p : s.curve) {
            out.writeInt(p.epoch());
            out.writeInt(p.round());
            out.writeDouble(p.density());
            out.writeDouble(p.trainLoss());
            out.writeDouble(p.valMae());
            out.writeDouble(p.valMse());
            out.writeDouble(p.testMae());
            out.writeDouble(p.testMse());
            out.writeUTF(p.event());
            out.writeDouble(p.cumulativeFlops());
            out.writeDouble(p.cumulativeSeconds());
            out.writeDouble(p.learningRate());
            out.writeDouble(p.mlpDensity());
        }
        out.writeInt(s.rounds.size());
        for (RoundRecord r : s.rounds) {
            out.writeInt(r.round());
            out.writeDouble(r.density());
            out.writeLong(r.nonzeroWeights());
            out.writeInt(r.bestEpoch());
            out.writeDouble(r.valMse());
            out.writeDouble(r.valMae());
            out.writeDouble(r.testMse());
            out.writeDouble(r.testMae());
            out.writeDouble(r.mlpDensity());
        }
        writeMap(out, s.student);
        writeMap(out, s.distiller);
        writeMap(out, s.optimizer);
        writeMap(out, s.rewind);
        writeMap(out, s.best);
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        byte[] all = bytes.toByteArray();
        AtomicFile.write(file, all);
    }

    /**
     * Reads a checkpoint of (method, seed, config); returns null if the file does not exist. A checkpoint of another
     * run or configuration, or a damaged file, is an error naming the file.
     */
    public static RunState read(Path file, String method, long seed, String config) throws IOException {
        int size;
        try {
            // a directory, FIFO or device is refused before it is opened
            size = (int) InputFiles.requireRegular(file, "run checkpoint", Integer.MAX_VALUE - 16);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (size < 20) {
            throw new IOException(file + ": checkpoint truncated (" + size + " bytes)");
        }
        byte[] all;
        try (InputStream stream = Files.newInputStream(file)) {
            byte[] head = stream.readNBytes(8);
            // the magic first: another file is refused after 8 bytes, not after reading it whole
            if (java.nio.ByteBuffer.wrap(head).getLong() != MAGIC) {
                throw new IOException(file + ": not a winnow run checkpoint");
            }
            all = Arrays.copyOf(head, size);
            if (stream.readNBytes(all, 8, size - 8) != size - 8 || stream.read() >= 0) {
                throw new IOException(file + ": the file changed while it was read (it was " + size + " bytes)");
            }
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (crc.getValue() != stored) {
            throw new IOException(file + ": checkpoint is corrupt or truncated (checksum mismatch); delete it to "
                    + "restart this run from the beginning");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8));
        try {
            if (in.readLong() != MAGIC) {
                throw new IOException(file + ": not a winnow run checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION && version != VERSION_WITHOUT_MLP_DENSITY) {
                throw new IOException(file + ": checkpoint version " + version + ", this build reads "
                        + VERSION_WITHOUT_MLP_DENSITY + " and " + VERSION);
            }
            // a version 2 run never pruned its embedding tables: its density was the MLP's
            boolean mlpDensity = version >= VERSION;
            String m = in.readUTF();
            long sd = in.readLong();
            String cfg = in.readUTF();
            if (!m.equals(method) || sd != seed) {
                throw new IOException(file + ": checkpoint of " + m + " seed " + sd + ", expected " + method
                        + " seed " + seed);
            }
            if (!cfg.equals(config)) {
                throw new IOException(file + ": checkpoint was written with a different configuration for " + method
                        + "; resume with the same options, or start a new --out directory");
            }
            RunState s = new RunState();
            s.epoch = in.readInt();
            s.round = in.readInt();
            s.phase = in.readInt();
            s.phaseStart = in.readInt();
            s.steps = in.readLong();
            s.cumulativeFlops = in.readDouble();
            s.cumulativeSeconds = in.readDouble();
            s.bestValMse = in.readDouble();
            s.bestEpoch = in.readInt();
            s.bestRound = in.readInt();
            s.levelBestValMse = in.readDouble();
            s.levelBestEpoch = in.readInt();
            int points = count(in, file);
            for (int i = 0; i < points; i++) {
                int epoch = in.readInt();
                int round = in.readInt();
                double density = in.readDouble();
                s.curve.add(new CurvePoint(method, seed, epoch, round, density, in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readDouble(), in.readDouble(), in.readUTF(), in.readDouble(),
                        in.readDouble(), in.readDouble(), mlpDensity ? in.readDouble() : density));
            }
            int rounds = count(in, file);
            for (int i = 0; i < rounds; i++) {
                int round = in.readInt();
                double density = in.readDouble();
                s.rounds.add(new RoundRecord(round, density, in.readLong(), in.readInt(), in.readDouble(),
                        in.readDouble(), in.readDouble(), in.readDouble(), mlpDensity ? in.readDouble() : density));
            }
            s.student = readMap(in, file);
            s.distiller = readMap(in, file);
            s.optimizer = readMap(in, file);
            s.rewind = readMap(in, file);
            s.best = readMap(in, file);
            return s;
        } catch (EOFException e) {
            throw new IOException(file + ": checkpoint truncated inside its content");
        }
    }

    private static int count(DataInputStream in, Path file) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_ARRAY) {
            throw new IOException(file + ": implausible count " + n + " in checkpoint");
        }
        return n;
    }

    private static void writeMap(DataOutputStream out, Map<String, float[]> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, float[]> e : m.entrySet()) {
            out.writeUTF(e.getKey());
            float[] v = e.getValue();
            out.writeInt(v.length);
            for (float f : v) {
                out.writeFloat(f);
            }
        }
    }

    private static Map<String, float[]> readMap(DataInputStream in, Path file) throws IOException {
        int n = count(in, file);
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = in.readUTF();
            int len = count(in, file);
            if (len > in.available() / 4) {
                throw new IOException(file + ": array " + k + " claims " + len + " values, more than the file holds");
            }
            float[] v = new float[len];
            for (int j = 0; j < len; j++) {
                v[j] = in.readFloat();
            }
            m.put(k, v);
        }
        return m;
    }
}
