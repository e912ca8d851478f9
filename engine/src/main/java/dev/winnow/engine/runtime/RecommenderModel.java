package dev.winnow.engine.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.winnow.engine.runtime.WnwFormat.*;

/**
 * A rating model loaded from a .wnw file, for serving: forward-only, immutable after load and safe to share between
 * threads. Each thread gets its own scratch buffers on its first request; after that, {@link #predict}, {@link #score},
 * {@link #predictBatch} and the output-argument {@link #topK(int, int, int[], int[], float[])} allocate nothing.
 * Needs nothing but java.base (and uses jdk.incubator.vector when the JVM was started with it).
 */
public final class RecommenderModel {
    /** Items scored together in {@link #topK} and {@link #predictBatch}: one feature-major block of this many lanes. */
    static final int LANES = 64;
    /** Upper bound on a layer width or the embedding size: per-thread scratch is sized by it (in whole blocks). */
    public static final int MAX_WIDTH = 16_384;
    /** Largest file the loader accepts (a byte array's limit). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;
    /** Chosen once per class loader: the Vector API loops when the module is present, plain loops otherwise. */
    private static final Kernels KERNELS = Kernels.detect();

    private final int userCount;
    private final int itemCount;
    private final int dim;
    private final float minRating;
    private final float maxRating;
    private final int activation;
    private final EmbeddingTable users;
    private final EmbeddingTable items;
    private final Layer[] layers;
    /** Raw ids of a model from a real data set (section 4), or null: then the raw ids are the indices. */
    private final IdMap userIds;
    private final IdMap itemIds;
    private final int maxWidth;
    private final Kernels kernels;
    private final List<TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final long fileBytes;
    private final long checksum;
    private final ThreadLocal<Scratch> scratch;

    private RecommenderModel(int userCount, int itemCount, int dim, float minRating, float maxRating, int activation,
                             EmbeddingTable users, EmbeddingTable items, Layer[] layers, IdMap userIds, IdMap itemIds,
                             List<TensorInfo> tensors, Map<String, String> metadata, long fileBytes, long checksum,
                             Kernels kernels) {
        this.userCount = userCount;
        this.itemCount = itemCount;
        this.dim = dim;
        this.minRating = minRating;
        this.maxRating = maxRating;
        this.activation = activation;
        this.users = users;
        this.items = items;
        this.layers = layers;
        this.userIds = userIds;
        this.itemIds = itemIds;
        this.tensors = Collections.unmodifiableList(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.fileBytes = fileBytes;
        this.checksum = checksum;
        this.kernels = kernels;
        this.maxWidth = Layer.scratchWidth(2 * dim, layers);
        this.scratch = new ThreadLocal<>();
        layers[0].splitInputs(dim);
    }

    // ---- loading ------------------------------------------------------------------------------------------------

    public static RecommenderModel load(Path path) throws IOException {
        byte[] bytes = WnwReader.readFile(path);
        return parse(bytes, bytes.length, path.toString(), KERNELS);
    }

    /**
     * Reads the stream as its header and section lengths say, to the end of the file checksum: refused after 8 bytes
     * when it is not a model, and when it goes on past the file's end; memory grows with the bytes actually read,
     * never with a declared length.
     */
    public static RecommenderModel load(InputStream in) throws IOException {
        return load(in, "stream");
    }

    public static RecommenderModel load(InputStream in, String sourceName) throws IOException {
        byte[] buf = WnwReader.readStream(in, sourceName);
        return parse(buf, buf.length, sourceName, KERNELS);
    }

    /** Parses and validates a whole file image read by {@link WnwReader#readFile}. */
    static RecommenderModel parse(byte[] image, String source) throws ModelFormatException {
        return parse(image, image.length, source, KERNELS);
    }

    /** Parses and validates a whole file image (the first {@code len} bytes of {@code buf}). */
    static RecommenderModel parse(byte[] buf, int len, String source, Kernels kernels) throws ModelFormatException {
        WnwReader.Frame f = WnwReader.frame(buf, len, source);
        SectionReader h = f.modelHeader();
        int kind = h.u8("model kind");
        if (kind == KIND_MOVIE_MLP) {
            throw h.fail("model kind 2 is the movie feature MLP: load it with MovieRatingModel.load, not"
                    + " RecommenderModel (which serves kind 1, the NCF rating model)");
        }
        if (kind != KIND_NCF) {
            throw h.fail("unknown model kind " + kind + " (this runtime serves kind 1, the NCF rating model)");
        }
        MlpSections mlp = new MlpSections(h, "an NCF model");
        int userCount = h.count("user count", 1, Integer.MAX_VALUE);
        int itemCount = h.count("item count", 1, Integer.MAX_VALUE);
        int dim = h.count("embedding size", 1, MAX_WIDTH / 2);
        float minRating = h.finiteF32("minimum rating");
        float maxRating = h.finiteF32("maximum rating");
        if (!(minRating <= maxRating)) {
            throw h.fail("rating range " + minRating + ".." + maxRating + " is empty");
        }
        mlp.readShapes(h, 2 * dim);
        h.expectEnd();
        return readSections(f, mlp, userCount, itemCount, dim, minRating, maxRating, kernels);
    }

    /** Reads the tensor, id-map and metadata sections into the model the header describes. */
    private static RecommenderModel readSections(WnwReader.Frame f, MlpSections mlp, int userCount, int itemCount,
                                                 int dim, float minRating, float maxRating, Kernels kernels)
            throws ModelFormatException {
        StoredTensor[] tables = new StoredTensor[2];
        IdMap[] ids = new IdMap[2];
        List<TensorInfo> infos = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int s = 1; s < f.sections(); s++) {
            SectionReader r = f.section(s);
            switch (f.type(s)) {
                case SECTION_TENSOR:
                    infos.add(readTensor(r, s, f.payloadBytes(s), mlp, tables, userCount, itemCount, dim));
                    break;
                case SECTION_METADATA:
                    r.readMetadata(metadata);
                    break;
                case SECTION_ID_MAP:
                    if (ids[0] != null) {
                        throw r.fail("a second id map");
                    }
                    ids[0] = IdMap.read(r, "user", userCount);
                    ids[1] = IdMap.read(r, "item", itemCount);
                    r.expectEnd();
                    break;
                case SECTION_MODEL:
                    throw r.fail("a second model header");
                case SECTION_FEATURE_PIPELINE:
                    throw r.fail("a feature pipeline belongs to the movie feature model (kind 2), not to an NCF model");
                default:
                    f.skipUnknown(r, s);
            }
        }
        SectionReader tail = f.end();
        if (tables[0] == null || tables[1] == null) {
            throw tail.fail("the " + (tables[0] == null ? "user" : "item") + " embedding table is missing");
        }
        return new RecommenderModel(userCount, itemCount, dim, minRating, maxRating, mlp.activation,
                new EmbeddingTable(tables[0]), new EmbeddingTable(tables[1]), mlp.layers(tail, kernels), ids[0], ids[1], infos,
                metadata, f.fileBytes(), f.checksum(), kernels);
    }

    /**
     * One tensor section of {@code bytes} payload bytes: an MLP weight or bias (into {@code mlp}), or the user or item
     * embedding table (into {@code tables[0]} or {@code [1]}).
     */
    private static TensorInfo readTensor(SectionReader r, int s, int bytes, MlpSections mlp, StoredTensor[] tables,
                                         int userCount, int itemCount, int dim) throws ModelFormatException {
        int role = r.u8("tensor role");
        int storage = r.u8("storage code");
        int layer = r.u16("layer index");
        int rows = r.count("rows", 1, Integer.MAX_VALUE);
        int cols = r.count("columns", 1, Integer.MAX_VALUE);
        String tensor = tensorName(role, layer);
        r = r.rest("section " + s + " (tensor " + tensor + ")");
        StoredTensor t;
        if (role == ROLE_WEIGHT || role == ROLE_BIAS) {
            mlp.checkLayer(r, layer);
            t = mlp.readTensor(r, role, storage, layer, rows, cols, tensor);
        } else if (role == ROLE_USER_EMBEDDING || role == ROLE_ITEM_EMBEDDING) {
            int side = role == ROLE_USER_EMBEDDING ? 0 : 1;
            int expRows = side == 0 ? userCount : itemCount;
            if (rows != expRows || cols != dim) {
                throw r.fail("shape " + rows + "x" + cols + " but the model header implies " + expRows + "x" + dim);
            }
            if (tables[side] != null) {
                throw r.fail("tensor " + tensor + " appears twice");
            }
            t = StoredTensor.read(r, storage, rows, cols);
            r.expectEnd();
            tables[side] = t;
        } else {
            throw r.fail("unknown tensor role " + role);
        }
        return new TensorInfo(tensor, storage, rows, cols, t.nonzeros(), bytes);
    }

    // ---- serving ------------------------------------------------------------------------------------------------

    /** Per-thread buffers: two vectors for one example, two feature-major blocks, the top-K heap, exclusion bits. */
    private static final class Scratch {
        final float[] a;
        final float[] b;
        final float[] blockA;
        final float[] blockB;
        final float[] userPart;
        final long[] excluded;
        int[] heapItems = new int[16];
        float[] heapScores = new float[16];

        Scratch(int width, int items) {
            a = new float[width];
            b = new float[width];
            blockA = new float[width * LANES];
            blockB = new float[width * LANES];
            userPart = new float[width];
            excluded = new long[(items + 63) >>> 6];
        }
    }

    /**
     * This thread's buffers, made on its first request (a get and a set, not withInitial(lambda) nor a subclass: the
     * first lambda costs a JVM tens of milliseconds to link, a class costs the runtime jar its bytes).
     */
    private Scratch scratch() {
        Scratch s = scratch.get();
        if (s == null) {
            s = new Scratch(maxWidth, itemCount);
            scratch.set(s);
        }
        return s;
    }

    /** The predicted rating for one pair, clipped to the rating range the model was trained on. */
    public float predict(int user, int item) {
        return clip(score(user, item));
    }

    /** The raw model output for one pair (what {@link #topK} ranks by). */
    public float score(int user, int item) {
        checkUser(user);
        checkItem(item);
        Scratch s = scratch();
        float[] x = s.a;
        float[] y = s.b;
        users.lookup(user, x, 0, 1);
        items.lookup(item, x, dim, 1);
        for (Layer l : layers) {
            l.forwardOne(x, y, kernels);
            float[] t = x;
            x = y;
            y = t;
        }
        return x[0];
    }

    /** out[i] = predict(users[i], items[i]) for i < n (clipped ratings). */
    public void predictBatch(int[] users, int[] items, int n, float[] out) {
        batch(users, items, n, out, true);
    }

    /** out[i] = score(users[i], items[i]) for i < n (raw outputs). */
    public void scoreBatch(int[] users, int[] items, int n, float[] out) {
        batch(users, items, n, out, false);
    }

    private void batch(int[] userIds, int[] itemIds, int n, float[] out, boolean clip) {
        if (n < 0 || n > userIds.length || n > itemIds.length || n > out.length) {
            throw new IllegalArgumentException("batch of " + n + " with arrays of " + userIds.length + ", "
                    + itemIds.length + " and " + out.length + " entries");
        }
        for (int i = 0; i < n; i++) {
            checkUser(userIds[i]);
            checkItem(itemIds[i]);
        }
        Scratch s = scratch();
        for (int from = 0; from < n; from += LANES) {
            int m = Math.min(LANES, n - from);
            float[] x = s.blockA;
            float[] y = s.blockB;
            for (int b = 0; b < m; b++) {
                users.lookup(userIds[from + b], x, b, LANES);
                items.lookup(itemIds[from + b], x, dim * LANES + b, LANES);
            }
            for (Layer l : layers) {
                l.forwardBlock(x, y, LANES, m, kernels);
                float[] t = x;
                x = y;
                y = t;
            }
            for (int b = 0; b < m; b++) {
                out[from + b] = clip ? clip(x[b]) : x[b];
            }
        }
    }

    /**
     * The k items with the highest scores for {@code user}, best first, skipping {@code exclude} (may be null); fewer
     * than k when the exclusions leave fewer items.
     */
    public int[] topK(int user, int k, int[] exclude) {
        int kk = Math.max(0, Math.min(k, itemCount));
        int[] items = new int[kk];
        float[] scores = new float[kk];
        int found = topK(user, kk, exclude, items, scores);
        return found == kk ? items : java.util.Arrays.copyOf(items, found);
    }

    /**
     * Allocation-free top-K: fills {@code outItems} and {@code outScores} (raw scores, best first; ties go to the lower
     * item id) and returns how many were found (fewer than k when exclusions leave fewer items).
     */
    public int topK(int user, int k, int[] exclude, int[] outItems, float[] outScores) {
        checkUser(user);
        if (k < 0 || k > outItems.length || k > outScores.length) {
            throw new IllegalArgumentException("k = " + k + " with output arrays of " + outItems.length + " and "
                    + outScores.length + " entries");
        }
        k = Math.min(k, itemCount);
        Scratch s = scratch();
        if (s.heapItems.length < k) {
            s.heapItems = new int[k];
            s.heapScores = new float[k];
        }
        if (exclude != null) {
            for (int item : exclude) {
                checkItem(item);
            }
            for (int item : exclude) {
                s.excluded[item >>> 6] |= 1L << item;
            }
        }
        try {
            int size = keepBest(user, k, s);
            drainHeap(s, size, outItems, outScores);
            return size;
        } finally {
            if (exclude != null) {
                for (int item : exclude) {
                    s.excluded[item >>> 6] &= ~(1L << item);
                }
            }
        }
    }

    /**
     * Scores every item not excluded in {@code s} for {@code user}, a block of {@link #LANES} at a time, keeping the
     * {@code k} best in the scratch min-heap; returns how many it kept. NaN scores rank below every number.
     */
    private int keepBest(int user, int k, Scratch s) {
        users.lookup(user, s.a, 0, 1);
        layers[0].userPart(s.a, s.userPart, kernels);
        int size = 0;
        for (int from = 0; from < itemCount && k > 0; from += LANES) {
            int m = Math.min(LANES, itemCount - from);
            float[] scores = scoreBlock(s, from, m);
            for (int b = 0; b < m; b++) {
                int item = from + b;
                if ((s.excluded[item >>> 6] & (1L << item)) == 0) {
                    size = offer(s, size, k, item, Float.isNaN(scores[b]) ? Float.NEGATIVE_INFINITY : scores[b]);
                }
            }
        }
        return size;
    }

    /**
     * The raw scores of items {@code [from, from + m)} for the user whose half of the first layer is in
     * {@code s.userPart}: lanes {@code 0..m-1} of the returned scratch block.
     */
    private float[] scoreBlock(Scratch s, int from, int m) {
        float[] x = s.blockA;
        float[] y = s.blockB;
        for (int b = 0; b < m; b++) {
            items.lookup(from + b, x, b, LANES);
        }
        layers[0].forwardSplit(s.userPart, x, y, LANES, m, kernels);
        float[] t = x;
        x = y;
        y = t;
        for (int l = 1; l < layers.length; l++) {
            layers[l].forwardBlock(x, y, LANES, m, kernels);
            t = x;
            x = y;
            y = t;
        }
        return x;
    }

    /** Offers a scored item to the heap of the {@code k} best so far ({@code size} of them); returns the new size. */
    private static int offer(Scratch s, int size, int k, int item, float score) {
        if (size < k) {
            s.heapItems[size] = item;
            s.heapScores[size] = score;
            siftUp(s.heapItems, s.heapScores, size);
            return size + 1;
        }
        if (better(score, item, s.heapScores[0], s.heapItems[0])) {
            s.heapItems[0] = item;
            s.heapScores[0] = score;
            siftDown(s.heapItems, s.heapScores, 0, size);
        }
        return size;
    }

    /** Empties the heap into the outputs, best first: popping the min-heap from the back, worst first lands last. */
    private static void drainHeap(Scratch s, int size, int[] outItems, float[] outScores) {
        for (int n = size; n > 0; n--) {
            outItems[n - 1] = s.heapItems[0];
            outScores[n - 1] = s.heapScores[0];
            s.heapItems[0] = s.heapItems[n - 1];
            s.heapScores[0] = s.heapScores[n - 1];
            siftDown(s.heapItems, s.heapScores, 0, n - 1);
        }
    }

    private static boolean better(float s1, int i1, float s2, int i2) {
        return s1 > s2 || (s1 == s2 && i1 < i2);
    }

    /** Min-heap on "better": the root is the worst kept item. */
    private static void siftUp(int[] items, float[] scores, int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!better(scores[p], items[p], scores[i], items[i])) {
                return;
            }
            swap(items, scores, i, p);
            i = p;
        }
    }

    private static void siftDown(int[] items, float[] scores, int i, int n) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < n && better(scores[l], items[l], scores[r], items[r])) {
                worst = r;
            }
            if (!better(scores[i], items[i], scores[worst], items[worst])) {
                return;
            }
            swap(items, scores, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] items, float[] scores, int i, int j) {
        int ti = items[i];
        items[i] = items[j];
        items[j] = ti;
        float ts = scores[i];
        scores[i] = scores[j];
        scores[j] = ts;
    }

    private float clip(float v) {
        return v < minRating ? minRating : v > maxRating ? maxRating : v;
    }

    private void checkUser(int user) {
        if (user < 0 || user >= userCount) {
            throw new IllegalArgumentException("user " + user + " is outside 0.." + (userCount - 1));
        }
    }

    private void checkItem(int item) {
        if (item < 0 || item >= itemCount) {
            throw new IllegalArgumentException("item " + item + " is outside 0.." + (itemCount - 1));
        }
    }

    // ---- raw ids ------------------------------------------------------------------------------------------------

    /**
     * Whether the file carries the data set's raw user and item ids (section 4, written for models trained on real
     * data). Without it the ids users know are the 0-based indices themselves (the synthetic data set).
     */
    public boolean hasIdMap() {
        return userIds != null;
    }

    /**
     * The index {@link #predict} and the other index-based methods take for the user with raw id {@code rawId}, or -1
     * when the model has no such user. Without an id map the raw id is the index (-1 outside 0..users-1). Allocates
     * nothing (a binary search).
     */
    public int userIndex(int rawId) {
        return userIds != null ? userIds.indexOf(rawId) : rawId >= 0 && rawId < userCount ? rawId : -1;
    }

    /** As {@link #userIndex} for items. */
    public int itemIndex(int rawId) {
        return itemIds != null ? itemIds.indexOf(rawId) : rawId >= 0 && rawId < itemCount ? rawId : -1;
    }

    /**
     * Why {@link #userIndex} or {@link #itemIndex} gave -1 for a raw id: " is not in the model's id map", or (no
     * map) " is outside 0..N-1"; callers put the side and the id in front.
     */
    public String unknownIdReason(boolean user) {
        return hasIdMap() ? " is not in the model's id map"
                : " is outside 0.." + ((user ? userCount : itemCount) - 1);
    }

    /** The raw id of user {@code index} (the index itself without an id map). */
    public int userId(int index) {
        checkUser(index);
        return userIds != null ? userIds.rawId(index) : index;
    }

    /** The raw id of item {@code index} (the index itself without an id map), e.g. to print {@link #topK}'s items. */
    public int itemId(int index) {
        checkItem(index);
        return itemIds != null ? itemIds.rawId(index) : index;
    }

    /** "943 user ids in 1..943, 1682 item ids in 1..1682", or "none (users and items are 0-based indices)". */
    public String idMapDescription() {
        return userIds == null ? "none (users and items are 0-based indices)"
                : userCount + " user ids in " + userIds.min() + ".." + userIds.max() + ", " + itemCount
                + " item ids in " + itemIds.min() + ".." + itemIds.max();
    }

    // ---- description --------------------------------------------------------------------------------------------

    public int userCount() {
        return userCount;
    }

    public int itemCount() {
        return itemCount;
    }

    public int embeddingSize() {
        return dim;
    }

    public float minRating() {
        return minRating;
    }

    public float maxRating() {
        return maxRating;
    }

    /** Widths of the MLP layers' outputs, in order (the last is 1). */
    public int[] layerWidths() {
        int[] w = new int[layers.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = layers[i].out;
        }
        return w;
    }

    public String activation() {
        return activationName(activation);
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public long fileBytes() {
        return fileBytes;
    }

    /** The whole-file CRC32C. */
    public long checksum() {
        return checksum;
    }

    /** "vector(16 lanes)" or "scalar". */
    public String kernels() {
        return kernels.name();
    }

    /** Bytes the loaded weights occupy on the heap (excluding per-thread scratch). */
    public long weightBytes() {
        long b = users.heapBytes() + items.heapBytes();
        for (Layer l : layers) {
            b += l.heapBytes();
        }
        return b;
    }

    @Override
    public String toString() {
        return "NCF rating model: " + userCount + " users, " + itemCount + " items, embedding " + dim + ", MLP "
                + (2 * dim) + " -> " + Arrays.toString(layerWidths()) + " (" + activationName(activation)
                + "), layouts " + Layer.layouts(layers);
    }
}
