package dev.winnow.kernels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The shared kernel source as packaged: {@code compat.h} followed by the files named in {@code sources.txt}, in that
 * order. OpenCL builds exactly these bytes; {@code build-ptx.sh} feeds the same bytes to nvcc and stamps their sha256
 * on the PTX's first line, which is how a stale committed PTX is detected.
 */
public final class KernelSource {
    public static final String CL_DIR = "/dev/winnow/kernels/cl/";
    public static final String PTX_RESOURCE = "/dev/winnow/kernels/ptx/kernels_sm80.ptx";
    public static final String PTX_HASH_PREFIX = "// source-sha256: ";

    private KernelSource() {
    }

    /** File names after compat.h, in build order. */
    public static List<String> files() {
        String list = new String(resource(CL_DIR + "sources.txt"), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String line : list.split("\n")) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(t);
            }
        }
        return out;
    }

    /** compat.h and every kernel file concatenated: the program text of both dialects. */
    public static byte[] concatenated() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(resource(CL_DIR + "compat.h"));
        for (String f : files()) {
            all.writeBytes(resource(CL_DIR + f));
        }
        return all.toByteArray();
    }

    public static String text() {
        return new String(concatenated(), StandardCharsets.UTF_8);
    }

    public static String sha256() {
        return sha256(concatenated());
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The packaged PTX (sm_80), NUL-terminated as cuModuleLoadData wants it. */
    public static byte[] ptx() {
        byte[] text = resource(PTX_RESOURCE);
        byte[] z = new byte[text.length + 1];
        System.arraycopy(text, 0, z, 0, text.length);
        return z;
    }

    public static byte[] resource(String path) {
        try (InputStream in = KernelSource.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel resource " + path + " is missing from the classpath"
                        + " (is the winnow-kernels jar complete?)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel resource " + path, e);
        }
    }
}
