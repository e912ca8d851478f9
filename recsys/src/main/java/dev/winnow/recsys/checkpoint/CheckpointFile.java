package dev.winnow.recsys.checkpoint;

import dev.winnow.engine.io.AtomicFile;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.runtime.InputFiles;
import dev.winnow.recsys.model.NcfConfig;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code DIR/checkpoint.wck}: a training checkpoint. Layout (big-endian, Java's DataOutput): magic "WNWCKPT\n",
 * u16 version, the fields of {@link Checkpoint} in order (strings as u16 length + UTF-8, arrays as u32 count +
 * values, masks as packed bits), then a CRC32C of everything before it. Written to a temporary file in DIR, forced to
 * disk and renamed, so a crash leaves either the old checkpoint or the new one. Reading checks the checksum first and
 * every count against the bytes left before allocating.
 */
public final class CheckpointFile {
    public static final String FILE_NAME = "checkpoint.wck";
    private static final byte[] MAGIC = "WNWCKPT\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private CheckpointFile() {
    }

    public static Path write(Checkpoint c, Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeShort(VERSION);
        NcfConfig cfg = c.config();
        out.writeUTF(cfg.name());
        out.writeInt(cfg.embeddingDim());
        out.writeInt(cfg.hidden().length);
        for (int h : cfg.hidden()) {
            out.writeInt(h);
        }
        out.writeUTF(cfg.activation().name());
        out.writeDouble(cfg.embeddingStd());
        out.writeInt(c.users());
        out.writeInt(c.items());
        out.writeFloat(c.minRating());
        out.writeFloat(c.maxRating());
        out.writeUTF(c.dataName());
        out.writeLong(c.seed());
        out.writeInt(c.values().size());
        for (Map.Entry<String, float[]> e : c.values().entrySet()) {
            out.writeUTF(e.getKey());
            float[] v = e.getValue();
            out.writeInt(v.length);
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            b.asFloatBuffer().put(v);
            out.write(b.array());
            float[] m = c.masks().get(e.getKey());
            out.writeBoolean(m != null);
            if (m != null) {
                byte[] bits = new byte[(v.length + 7) / 8];
                for (int i = 0; i < m.length; i++) {
                    if (m[i] != 0f) {
                        bits[i >>> 3] |= (byte) (1 << (i & 7));
                    }
                }
                out.write(bits);
            }
        }
        writeIds(out, c.userIds());
        writeIds(out, c.itemIds());
        out.flush();
        CRC32C crc = new CRC32C();
        byte[] body = bytes.toByteArray();
        crc.update(body);
        out.writeInt((int) crc.getValue());
        out.flush();
        return writeAtomically(bytes.toByteArray(), dir.resolve(FILE_NAME));
    }

    private static void writeIds(DataOutputStream out, List<String> ids) throws IOException {
        out.writeBoolean(ids != null);
        if (ids != null) {
            out.writeInt(ids.size());
            for (String s : ids) {
                out.writeUTF(s);
            }
        }
    }

    private static Path writeAtomically(byte[] data, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        AtomicFile.write(abs, data);
        return abs;
    }

    /** Reads {@code DIR/checkpoint.wck} (or the file itself when given one). */
    public static Checkpoint read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no checkpoint here; write one with"
                    + " `winnow train ... --checkpoint DIR`");
        }
        // a directory, FIFO or device is refused before it is opened; what is not a checkpoint after its magic bytes
        int size = (int) InputFiles.requireRegular(file, "checkpoint", Integer.MAX_VALUE - 16);
        String where = file.toString();
        byte[] all;
        try (InputStream stream = Files.newInputStream(file)) {
            byte[] head = stream.readNBytes(MAGIC.length);
            if (size < MAGIC.length + 2 + 4 || !Arrays.equals(head, MAGIC)) {
                throw new CheckpointFormatException(where + ": not a Winnow checkpoint (magic bytes differ or the"
                        + " file is truncated to " + size + " bytes)");
            }
            all = Arrays.copyOf(head, size);
            if (stream.readNBytes(all, head.length, size - head.length) != size - head.length
                    || stream.read() >= 0) {
                throw new CheckpointFormatException(where + ": the file changed while it was read (it was " + size
                        + " bytes); read it again once it is written");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
        int version = in.getShort(MAGIC.length) & 0xFFFF;
        if (version != VERSION) {
            throw new CheckpointFormatException(where + ": checkpoint version " + version + " (this winnow reads "
                    + VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        long stored = in.getInt(all.length - 4) & 0xFFFFFFFFL;
        if (stored != crc.getValue()) {
            throw new CheckpointFormatException(where + ": checksum mismatch (stored " + Long.toHexString(stored)
                    + ", computed " + Long.toHexString(crc.getValue()) + "): the file is truncated or damaged;"
                    + " train again with --checkpoint");
        }
        in.position(MAGIC.length + 2).limit(all.length - 4);
        Reader r = new Reader(in, where);
        String name = r.string("config name");
        int dim = r.count("embedding size", 1 << 20);
        int nh = r.count("hidden layer count", 1024);
        int[] hidden = new int[nh];
        for (int i = 0; i < nh; i++) {
            hidden[i] = r.count("hidden width", 1 << 20);
        }
        Activation act;
        String actName = r.string("activation");
        try {
            act = Activation.valueOf(actName);
        } catch (IllegalArgumentException e) {
            throw r.fail("unknown activation '" + actName + "'");
        }
        r.need(8 + 4 + 4 + 4 + 4, "header");
        double std = in.getDouble();
        int users = r.count("user count", Integer.MAX_VALUE);
        int items = r.count("item count", Integer.MAX_VALUE);
        float min = in.getFloat();
        float max = in.getFloat();
        String data = r.string("data name");
        r.need(8, "seed");
        long seed = in.getLong();
        int params = r.count("parameter count", 1 << 16);
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (int p = 0; p < params; p++) {
            String pname = r.string("parameter name");
            int n = r.count(pname + " size", Integer.MAX_VALUE);
            r.need(4L * n + 1, pname + " values");
            float[] v = new float[n];
            in.asFloatBuffer().get(v);
            in.position(in.position() + 4 * n);
            values.put(pname, v);
            if (in.get() != 0) {
                int nb = (n + 7) / 8;
                r.need(nb, pname + " mask");
                float[] m = new float[n];
                for (int i = 0; i < n; i++) {
                    m[i] = (all[in.position() + (i >>> 3)] >>> (i & 7) & 1) != 0 ? 1f : 0f;
                }
                in.position(in.position() + nb);
                masks.put(pname, m);
            }
        }
        List<String> userIds = r.ids("user ids");
        List<String> itemIds = r.ids("item ids");
        if (in.hasRemaining()) {
            throw r.fail(in.remaining() + " unexpected bytes before the checksum");
        }
        try {
            return new Checkpoint(new NcfConfig(name, dim, hidden, act, std), users, items, min, max, data, seed,
                    values, masks, userIds, itemIds);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
    }

    /** Bounds-checked reads: every count is checked against the bytes left before anything is allocated. */
    private static final class Reader {
        private final ByteBuffer in;
        private final String where;

        Reader(ByteBuffer in, String where) {
            this.in = in;
            this.where = where;
        }

        CheckpointFormatException fail(String problem) {
            return new CheckpointFormatException(where + ": at byte " + in.position() + ": " + problem);
        }

        void need(long n, String what) throws CheckpointFormatException {
            if (n > in.remaining()) {
                throw fail(what + " needs " + n + " bytes but only " + in.remaining() + " remain");
            }
        }

        int count(String what, int max) throws CheckpointFormatException {
            need(4, what);
            int v = in.getInt();
            if (v < 0 || v > max) {
                throw fail(what + " is " + v + ", outside 0.." + max);
            }
            return v;
        }

        String string(String what) throws CheckpointFormatException {
            need(2, what);
            int len = in.getShort() & 0xFFFF;
            need(len, what);
            byte[] b = new byte[len];
            in.get(b);
            // writeUTF's modified UTF-8 equals UTF-8 for the names we write (no NUL, no supplementary characters)
            return new String(b, StandardCharsets.UTF_8);
        }

        List<String> ids(String what) throws CheckpointFormatException {
            need(1, what);
            if (in.get() == 0) {
                return null;
            }
            int n = count(what + " count", in.remaining() / 2);
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(string(what));
            }
            return ids;
        }
    }
}
