package reloaded.memory.buffers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Finds and loads the JNI library, once per class loader (from the natives class's static
 * initialiser: see {@link #loadFor}). It knows nothing of the classes above it: the natives class
 * and its property name are passed in, and the probe ({@link NativeProbe}) asks for the first failure.
 *
 * <ol>
 *   <li>{@code reloaded.buffers.native.path} (or env {@code RELOADED_BUFFERS_NATIVE_PATH}): load
 *       exactly that file, no fallback.</li>
 *   <li>{@code reloaded.buffers.native.useSystem=true} (or env
 *       {@code RELOADED_BUFFERS_NATIVE_USE_SYSTEM=true}): {@code System.loadLibrary("buffers_jni")}
 *       from {@code java.library.path}, for distribution packages that install the library
 *       themselves; no fallback.</li>
 *   <li>Otherwise take {@code native/<platform>/<file>} next to this class, as listed in
 *       {@code native/index.properties}; copy it to a new, uniquely named file in
 *       {@code reloaded.buffers.native.tmpdir} (or env {@code RELOADED_BUFFERS_NATIVE_TMPDIR}, else
 *       {@code java.io.tmpdir}), verify size and SHA-256 against the index, load it and delete it
 *       at once (unless {@code reloaded.buffers.native.keep=true}). A unique copy per load lets
 *       several class loaders in one JVM each load the library; all copies share one locator.
 *       With {@code reloaded.buffers.native.cache=<dir>} (or env {@code RELOADED_BUFFERS_NATIVE_CACHE};
 *       set by the CLI launcher) a checked copy kept in that private folder is loaded instead when it
 *       is provably unchanged ({@link NativeCache}), else one is put there; a folder that cannot be
 *       trusted, or a failed load of the kept copy, falls back to the unique copy.</li>
 * </ol>
 * {@code reloaded.buffers.native.platform} overrides the detected platform (e.g. "linux-x86_64";
 * on musl libc the detected one is "linux-x86_64-musl");
 * {@code reloaded.buffers.native.debug=true} traces the steps to stderr.
 */
final class NativeLoader {
    static final String PATH_PROPERTY = "reloaded.buffers.native.path";
    static final String TMPDIR_PROPERTY = "reloaded.buffers.native.tmpdir";
    static final String PLATFORM_PROPERTY = "reloaded.buffers.native.platform";
    static final String KEEP_PROPERTY = "reloaded.buffers.native.keep";
    static final String DEBUG_PROPERTY = "reloaded.buffers.native.debug";
    static final String USE_SYSTEM_PROPERTY = "reloaded.buffers.native.useSystem";
    static final String CACHE_PROPERTY = "reloaded.buffers.native.cache";
    /** The name System.loadLibrary maps to libbuffers_jni.so / buffers_jni.dll. */
    static final String SYSTEM_LIBRARY_NAME = "buffers_jni";
    static final String INDEX_RESOURCE = "native/index.properties";

    /** What the loader reads from the outside world; replaced in tests. */
    interface Environment {
        /** The resource next to this class, or null if absent. */
        InputStream resource(String name) throws IOException;

        /** System.load of an absolute path. */
        void load(Path library);

        /** Whether the file may be executed (false on a noexec mount). */
        boolean isExecutable(Path file);

        /** System.loadLibrary: a library by name from java.library.path. */
        default void loadLibrary(String name) {
            System.loadLibrary(name);
        }
    }

    /** The settings of one load, from system properties and the environment. */
    record Options(String explicitPath, boolean useSystem, String platform, Path tmpdir, boolean keep,
                   boolean debug, Path cache) {
        Options(String explicitPath, String platform, Path tmpdir, boolean keep, boolean debug) {
            this(explicitPath, false, platform, tmpdir, keep, debug);
        }

        Options(String explicitPath, boolean useSystem, String platform, Path tmpdir, boolean keep, boolean debug) {
            this(explicitPath, useSystem, platform, tmpdir, keep, debug, null);
        }

        static Options fromSystem() {
            String tmp = setting(TMPDIR_PROPERTY, "RELOADED_BUFFERS_NATIVE_TMPDIR");
            String cache = setting(CACHE_PROPERTY, "RELOADED_BUFFERS_NATIVE_CACHE");
            return new Options(setting(PATH_PROPERTY, "RELOADED_BUFFERS_NATIVE_PATH"),
                    Boolean.parseBoolean(setting(USE_SYSTEM_PROPERTY, "RELOADED_BUFFERS_NATIVE_USE_SYSTEM")),
                    System.getProperty(PLATFORM_PROPERTY, Platform.current()),
                    Paths.get(tmp != null ? tmp : System.getProperty("java.io.tmpdir")),
                    Boolean.getBoolean(KEEP_PROPERTY), Boolean.getBoolean(DEBUG_PROPERTY),
                    cache == null ? null : Paths.get(cache));
        }

        private static String setting(String property, String env) {
            String value = System.getProperty(property);
            if (value == null || value.isEmpty()) {
                value = System.getenv(env);
            }
            return value == null || value.isEmpty() ? null : value;
        }
    }

    private static final Environment SYSTEM = new Environment() {
        @Override
        public InputStream resource(String name) {
            return NativeLoader.class.getResourceAsStream(name);
        }

        @Override
        public void load(Path library) {
            System.load(library.toAbsolutePath().toString());
        }

        @Override
        public boolean isExecutable(Path file) {
            return Files.isExecutable(file);
        }
    };

    /** Windows cannot delete a loaded DLL: copies older than this are removed by a later start. */
    static final long SWEEP_AGE_MILLIS = 60 * 60 * 1000L;

    /** The first load failure of this class loader, kept for the probe (see {@link #loadFor}). */
    private static volatile Throwable failure;

    private NativeLoader() {
    }

    /**
     * Loads the library and binds its natives to {@code natives} (the class named to JNI_OnLoad),
     * then checks its ABI; JNI_OnLoad finds {@code natives} by the system property {@code classProperty}
     * + this thread's id. Called only by the natives class's static initialiser: the JVM
     * runs that once per class loader, holding every other thread back until it is done, so the
     * library is extracted and loaded once whatever the order of first calls, and this class needs
     * no lock of its own (a lock here would deadlock against that initialisation).
     *
     * @throws UnsatisfiedLinkError why the library cannot be used, native access refused included
     */
    static void loadFor(Class<?> natives, String classProperty, IntSupplier abiVersion, int expectedAbi) {
        @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; the C side calls getId() too
        String key = classProperty + Thread.currentThread().getId();
        System.setProperty(key, natives.getName());
        try {
            Options options = Options.fromSystem();
            Path path = load(options, SYSTEM);
            trace(options, "loaded for platform " + options.platform() + " from " + (path != null ? path
                    : "java.library.path (" + System.mapLibraryName(SYSTEM_LIBRARY_NAME) + ")"));
            int abi = abiVersion.getAsInt();
            if (abi != expectedAbi) {
                throw new UnsatisfiedLinkError("libbuffers: the native library has ABI " + abi
                        + " but these classes need ABI " + expectedAbi
                        + "; the library and the jar come from different builds");
            }
        } catch (IllegalCallerException e) {
            throw failed(NativeAccess.denied(e));
        } catch (RuntimeException e) {
            throw failed(chained("libbuffers: could not load the native library: " + e, e));
        } catch (Error e) {
            failure = e;
            throw e;
        } finally {
            System.clearProperty(key);
        }
    }

    /**
     * Runs the library's self-check (compiled in where no test runs the build, macOS: docs/platforms.md,
     * "Self-check") for the probe. Not at load: the check gets buffers, which settles the locator's
     * layout, and {@link Buffers#useRustLayout()} must be able to come first. Calls that need buffers
     * run it themselves in C (JNI and FFM alike) and fail with the same reason.
     *
     * @throws UnsatisfiedLinkError naming the failed step, when the check failed
     */
    static void selfCheck(LongSupplier check, Supplier<String> lastError) {
        long start = System.nanoTime();
        long status = check.getAsLong();
        if (status != 0) {
            throw new UnsatisfiedLinkError("libbuffers: the native library failed its self-check and is not "
                    + "used: " + lastError.get());
        }
        if (Boolean.getBoolean(DEBUG_PROPERTY)) {
            System.err.println("[libbuffers loader] self-check passed (or compiled out) in "
                    + (System.nanoTime() - start) / 1000 + " us");
        }
    }

    /** Keeps the failure for the probe and returns it to be thrown. */
    private static UnsatisfiedLinkError failed(UnsatisfiedLinkError e) {
        failure = e;
        return e;
    }

    /**
     * The first load failure of this class loader (null if none): a later attempt sees only
     * NoClassDefFoundError, so the probe ({@link NativeProbe}) reports this one.
     */
    static Throwable firstFailure() {
        return failure;
    }

    /**
     * Loads the library as the options say; returns the path that was loaded, or null when it came
     * from java.library.path.
     */
    static Path load(Options options, Environment env) {
        if (options.explicitPath() == null && options.useSystem()) {
            trace(options, "System.loadLibrary(\"" + SYSTEM_LIBRARY_NAME + "\") (" + USE_SYSTEM_PROPERTY + ")");
            try {
                env.loadLibrary(SYSTEM_LIBRARY_NAME);
            } catch (UnsatisfiedLinkError e) {
                throw chained("libbuffers: " + USE_SYSTEM_PROPERTY + " is set but " + System.mapLibraryName(
                        SYSTEM_LIBRARY_NAME) + " is not on java.library.path (" + System.getProperty("java.library.path")
                        + "; no fallback is tried): " + e.getMessage(), e);
            }
            return null;
        }
        if (options.explicitPath() != null) {
            Path path = Paths.get(options.explicitPath()).toAbsolutePath();
            trace(options, "loading " + path + " (" + PATH_PROPERTY + ")");
            try {
                env.load(path);
            } catch (UnsatisfiedLinkError e) {
                throw chained("libbuffers: could not load " + path + " named by " + PATH_PROPERTY
                        + " (no fallback is tried): " + e.getMessage(), e);
            }
            return path;
        }
        NativeIndex index = readIndex(env);
        NativeIndex.Entry entry = index.entry(options.platform());
        if (entry == null) {
            throw new UnsatisfiedLinkError("libbuffers: this jar has no native library for platform '"
                    + options.platform() + "' (os.name=" + System.getProperty("os.name") + ", os.arch="
                    + System.getProperty("os.arch") + (Platform.isMuslPlatform(options.platform())
                    ? ", musl libc detected: a glibc library would not load" : "") + "); it contains: "
                    + String.join(", ", index.platforms()) + ". Build the library for this platform and name it with -D"
                    + PATH_PROPERTY + "=<file>, or install it on java.library.path and set -D"
                    + USE_SYSTEM_PROPERTY + "=true.");
        }
        trace(options, "picked " + entry.platform + "/" + entry.file + " from the jar");
        if (entry.file.endsWith(".dll")) {
            sweepOldCopies(options.tmpdir(), System.currentTimeMillis() - SWEEP_AGE_MILLIS);
        } else if (options.cache() != null) {
            Path cached = loadCached(options, env, entry);
            if (cached != null) {
                return cached;
            }
        }
        Path file = extract(options.tmpdir(), options, env, entry);
        try {
            trace(options, "loading " + file);
            env.load(file);
            return file;
        } catch (UnsatisfiedLinkError e) {
            throw explainLoadFailure(options, env, file, e);
        } finally {
            if (!options.keep()) {
                deleteQuietly(file);
            }
        }
    }

    private static NativeIndex readIndex(Environment env) {
        try (InputStream in = env.resource(INDEX_RESOURCE)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("libbuffers: the jar holds no " + INDEX_RESOURCE
                        + " next to " + NativeLoader.class.getName() + "; it was built without native libraries"
                        + " (use -D" + PATH_PROPERTY + "=<file>)");
            }
            return NativeIndex.read(in);
        } catch (IOException e) {
            throw chained("libbuffers: could not read " + INDEX_RESOURCE + ": " + e, e);
        }
    }

    /**
     * Loads the library from the cache folder (NativeCache), putting a checked copy there first when
     * it holds none that is provably the one checked; returns null, and the caller extracts a copy of
     * its own, when the folder cannot be trusted or the load fails (another class loader of this JVM
     * loaded that file already, a noexec folder). A damaged jar still throws.
     */
    private static Path loadCached(Options options, Environment env, NativeIndex.Entry entry) {
        String untrusted = NativeCache.untrusted(options.cache());
        if (untrusted != null) {
            trace(options, "cache not used: " + untrusted);
            return null;
        }
        Path file = NativeCache.file(options.cache(), entry);
        try {
            if (NativeCache.verified(file, entry)) {
                trace(options, "reusing " + file + " (checked when it was cached, unchanged since)");
            } else {
                Path fresh = extract(options.cache(), options, env, entry);
                try {
                    NativeCache.keep(fresh, file);
                } finally {
                    deleteQuietly(fresh); // gone once moved; left only by a failed keep
                }
                trace(options, "cached " + file);
            }
            env.load(file);
            return file;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            trace(options, "cache not used: " + e); // a damaged jar fails the own copy the same way, and says so
            return null;
        }
    }

    /** Copies the platform's library to a new unique file in dir, checking size and SHA-256 on the way. */
    private static Path extract(Path dir, Options options, Environment env, NativeIndex.Entry entry) {
        String resource = "native/" + entry.platform + "/" + entry.file;
        int dot = entry.file.lastIndexOf('.');
        String suffix = dot < 0 ? "" : entry.file.substring(dot);
        Path file;
        try {
            file = Files.createTempFile(dir, "buffers_jni-" + entry.platform + "-", suffix);
        } catch (IOException | RuntimeException e) {
            throw chained("libbuffers: could not create a file in " + dir + " to extract the native"
                    + " library into (" + e + "); choose another directory with -D" + TMPDIR_PROPERTY + "=<dir>", e);
        }
        try (InputStream in = env.resource(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("libbuffers: the index lists " + resource + " but the jar lacks it");
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size = 0;
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] chunk = new byte[64 * 1024];
                for (int n; (n = in.read(chunk)) > 0; size += n) {
                    sha.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (size != entry.size || !actual.equalsIgnoreCase(entry.sha256)) {
                throw new UnsatisfiedLinkError("libbuffers: checksum mismatch for " + resource + ": " + size
                        + " bytes with SHA-256 " + actual + ", but the index says " + entry.size + " bytes with "
                        + entry.sha256 + "; the jar is damaged or was assembled from different builds");
            }
            trace(options, "extracted " + resource + " to " + file + " (" + size + " bytes, SHA-256 ok)");
            return file;
        } catch (IOException | NoSuchAlgorithmException | RuntimeException | Error e) {
            deleteQuietly(file);
            if (e instanceof UnsatisfiedLinkError) {
                throw (UnsatisfiedLinkError) e;
            }
            throw chained("libbuffers: could not extract " + resource + " to " + file + ": " + e, e);
        }
    }

    /** Tells a noexec directory apart from other load failures. */
    private static UnsatisfiedLinkError explainLoadFailure(Options options, Environment env, Path file,
                                                           UnsatisfiedLinkError e) {
        boolean noexec = false;
        try {
            file.toFile().setExecutable(true, true);
            noexec = !env.isExecutable(file);
        } catch (RuntimeException ignored) {
            // keep the original failure
        }
        if (noexec) {
            return chained("libbuffers: could not load the native library extracted to " + options.tmpdir()
                    + ": the directory is mounted noexec (the file cannot be executed even with its x bits set)."
                    + " Choose a directory that allows execution with -D" + TMPDIR_PROPERTY
                    + "=<dir> or RELOADED_BUFFERS_NATIVE_TMPDIR. Cause: " + e.getMessage(), e);
        }
        return chained("libbuffers: could not load the native library extracted to " + file + ": "
                + e.getMessage(), e);
    }

    private static UnsatisfiedLinkError chained(String message, Throwable cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message);
        error.initCause(cause);
        return error;
    }

    /**
     * Deletes extracted copies last modified before the cutoff. On Windows a copy still loaded by a
     * running JVM cannot be deleted, so only abandoned ones go; returns how many were deleted.
     */
    static int sweepOldCopies(Path dir, long cutoffMillis) {
        int deleted = 0;
        try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(dir, "buffers_jni-*")) {
            for (Path p : s) {
                try {
                    if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toMillis() < cutoffMillis) {
                        Files.delete(p);
                        deleted++;
                    }
                } catch (IOException inUse) {
                    // loaded by another JVM: its turn comes later
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to sweep
        }
        return deleted;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort: the name is unique, so a leftover harms nobody
        }
    }

    private static void trace(Options options, String message) {
        if (options.debug()) {
            System.err.println("[libbuffers loader] " + message);
        }
    }
}
