package dev.winnow.engine.runtime;

/**
 * Constants of the .wnw model format (version 1.0), shared by the reader here and the writer in
 * {@code dev.winnow.engine.io}. The layout is documented in docs/format.md. All numbers are
 * little-endian.
 */
public final class WnwFormat {
    private WnwFormat() {
    }

    /** PNG-style magic: a non-ASCII first byte, the name, and CR LF / EOF / LF to catch text-mode mangling. */
    public static final byte[] MAGIC = {(byte) 0x89, 'W', 'N', 'W', '\r', '\n', 0x1A, '\n'};
    public static final int VERSION_MAJOR = 1;
    /** 1.1 adds the id map (section 4); a 1.0 reader refuses a file that has one, since the section is required. */
    public static final int VERSION_MINOR = 1;

    /** magic (8) + major (2) + minor (2) + section count (4). */
    public static final int FILE_HEADER_BYTES = 16;
    /** type (2) + flags (2) + payload length (4). */
    public static final int SECTION_HEADER_BYTES = 8;
    public static final int CRC_BYTES = 4;

    public static final int SECTION_MODEL = 1;
    public static final int SECTION_TENSOR = 2;
    /** The movie feature model's fitted pipeline (statistics, vocabularies, hashing parameters); kind 2 only. */
    public static final int SECTION_FEATURE_PIPELINE = 3;
    /**
     * The raw user and item ids of a model trained on a real data set (kind 1 only, at most once, required): u32 user
     * count (= the model's users), that many i32 raw ids in index order, u32 item count (= items), that many i32 raw
     * ids. Ids are unique within each list, in any order. Without it, the ids users pass are the 0-based indices.
     */
    public static final int SECTION_ID_MAP = 4;
    /** Bytes per raw id in the id map. */
    public static final int ID_BYTES = 4;
    public static final int SECTION_METADATA = 5;

    /** Section flag: a reader that does not know the section type must refuse the file instead of skipping it. */
    public static final int FLAG_REQUIRED = 1;

    public static final int KIND_NCF = 1;
    /** The movie feature MLP (raw field values -> rating), served by {@link MovieRatingModel}. */
    public static final int KIND_MOVIE_MLP = 2;

    public static final int ROLE_USER_EMBEDDING = 1;
    public static final int ROLE_ITEM_EMBEDDING = 2;
    public static final int ROLE_WEIGHT = 3;
    public static final int ROLE_BIAS = 4;

    public static final int STORAGE_DENSE_F32 = 0;
    public static final int STORAGE_CSR_F32 = 1;
    public static final int STORAGE_CSR_F16 = 2;
    public static final int STORAGE_CSR_I8 = 3;

    public static final int ACT_NONE = 0;
    public static final int ACT_RELU = 1;
    public static final int ACT_LEAKY_RELU = 2;
    public static final int ACT_SIGMOID = 3;
    public static final int ACT_TANH = 4;

    /**
     * The model kind a file declares (the first byte of its first section), or -1 when it is too short or its magic
     * differs. Nothing is verified: this picks the loader ({@link RecommenderModel} for {@link #KIND_NCF},
     * {@link MovieRatingModel} for {@link #KIND_MOVIE_MLP}), which checks everything. A path that is not a regular
     * file is refused before it is opened (a FIFO would block here, a device never ends).
     */
    public static int declaredKind(java.nio.file.Path file) throws java.io.IOException {
        InputFiles.requireRegular(file, "model file", RecommenderModel.MAX_FILE_BYTES);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            byte[] head = in.readNBytes(FILE_HEADER_BYTES + SECTION_HEADER_BYTES + 1);
            if (head.length < FILE_HEADER_BYTES + SECTION_HEADER_BYTES + 1) {
                return -1;
            }
            for (int i = 0; i < MAGIC.length; i++) {
                if (head[i] != MAGIC[i]) {
                    return -1;
                }
            }
            return head[head.length - 1] & 0xFF;
        }
    }

    /** Bytes per stored row count of a CSR tensor: the smallest unsigned width that can hold {@code cols}. */
    public static int countWidth(int cols) {
        return cols <= 0xFF ? 1 : cols <= 0xFFFF ? 2 : 4;
    }

    /** Bytes per stored column index of a CSR tensor: the smallest unsigned width that can hold {@code cols - 1}. */
    public static int indexWidth(int cols) {
        return cols <= 0x100 ? 1 : cols <= 0x10000 ? 2 : 4;
    }

    /** Bytes per stored value. */
    public static int valueWidth(int storage) {
        switch (storage) {
            case STORAGE_DENSE_F32:
            case STORAGE_CSR_F32: return 4;
            case STORAGE_CSR_F16: return 2;
            case STORAGE_CSR_I8: return 1;
            default: throw new IllegalArgumentException("unknown storage code " + storage);
        }
    }

    /** The name the CLI uses for a storage code ({@code --storage dense|csr|csr-fp16|int8}). */
    public static String storageName(int storage) {
        switch (storage) {
            case STORAGE_DENSE_F32: return "dense";
            case STORAGE_CSR_F32: return "csr";
            case STORAGE_CSR_F16: return "csr-fp16";
            case STORAGE_CSR_I8: return "int8";
            default: return "storage#" + storage;
        }
    }

    public static String sectionName(int type) {
        switch (type) {
            case SECTION_MODEL: return "model";
            case SECTION_TENSOR: return "tensor";
            case SECTION_FEATURE_PIPELINE: return "feature-pipeline";
            case SECTION_ID_MAP: return "id-map";
            case SECTION_METADATA: return "metadata";
            default: return "type#" + type;
        }
    }

    public static String activationName(int code) {
        switch (code) {
            case ACT_NONE: return "none";
            case ACT_RELU: return "relu";
            case ACT_LEAKY_RELU: return "leaky_relu";
            case ACT_SIGMOID: return "sigmoid";
            case ACT_TANH: return "tanh";
            default: return "activation#" + code;
        }
    }

    /** The parameter name a tensor role stands for, matching the engine's names ("mlp.1.weight"). */
    public static String tensorName(int role, int layer) {
        switch (role) {
            case ROLE_USER_EMBEDDING: return "user.weight";
            case ROLE_ITEM_EMBEDDING: return "item.weight";
            case ROLE_WEIGHT: return "mlp." + layer + ".weight";
            case ROLE_BIAS: return "mlp." + layer + ".bias";
            default: return "role#" + role + "/" + layer;
        }
    }
}
