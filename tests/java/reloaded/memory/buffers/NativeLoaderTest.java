package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's decisions, against a fake jar and a fake System.load: explicit path, missing
 * platform, checksum mismatch, noexec, no leftovers. (Real loads: ClassLoadersTest, NoexecTest.)
 */
class NativeLoaderTest {
    private static final byte[] LIBRARY = "not really an ELF file".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    /** A jar holding an index and libraries, and a System.load that records or fails. */
    static class FakeEnvironment implements NativeLoader.Environment {
        final Map<String, byte[]> resources = new HashMap<>();
        final List<Path> loaded = new ArrayList<>();
        final List<byte[]> loadedBytes = new ArrayList<>();
        final List<String> loadedByName = new ArrayList<>();
        UnsatisfiedLinkError loadFailure;
        boolean executable = true;

        @Override
        public InputStream resource(String name) {
            byte[] b = resources.get(name);
            return b == null ? null : new ByteArrayInputStream(b);
        }

        @Override
        public void load(Path library) {
            if (loadFailure != null) {
                throw loadFailure;
            }
            try {
                loadedBytes.add(Files.readAllBytes(library));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            loaded.add(library);
        }

        @Override
        public boolean isExecutable(Path file) {
            return executable;
        }

        @Override
        public void loadLibrary(String name) {
            if (loadFailure != null) {
                throw loadFailure;
            }
            loadedByName.add(name);
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static FakeEnvironment jarWith(String platform, byte[] library, String indexedSha, long indexedSize) {
        FakeEnvironment env = new FakeEnvironment();
        String index = "version=1.0.0\nplatforms=" + platform + ",windows-x86_64\n"
                + platform + ".file=libbuffers_jni.so\n" + platform + ".size=" + indexedSize + "\n"
                + platform + ".sha256=" + indexedSha + "\n"
                + "windows-x86_64.file=buffers_jni.dll\nwindows-x86_64.size=1\nwindows-x86_64.sha256=00\n";
        env.resources.put("native/index.properties", index.getBytes(StandardCharsets.ISO_8859_1));
        env.resources.put("native/" + platform + "/libbuffers_jni.so", library);
        return env;
    }

    private NativeLoader.Options options(String platform) {
        return new NativeLoader.Options(null, platform, tmp, false, false);
    }

    private long filesIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void extractsVerifiesLoadsAndDeletes() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        Path loaded = NativeLoader.load(options("linux-x86_64"), env);
        assertEquals(List.of(loaded), env.loaded);
        assertTrue(loaded.startsWith(tmp), "extracted into the tmpdir option: " + loaded);
        assertTrue(loaded.getFileName().toString().startsWith("buffers_jni-linux-x86_64-"));
        assertTrue(loaded.getFileName().toString().endsWith(".so"));
        assertEquals(new String(LIBRARY, StandardCharsets.US_ASCII),
                new String(env.loadedBytes.get(0), StandardCharsets.US_ASCII));
        assertEquals(0, filesIn(tmp), "deleted right after loading");
    }

    @Test
    void eachLoadGetsItsOwnFile() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        NativeLoader.Options keep = new NativeLoader.Options(null, "linux-x86_64", tmp, true, false);
        Path a = NativeLoader.load(keep, env);
        Path b = NativeLoader.load(keep, env);
        assertTrue(!a.equals(b), "two loads, two paths");
        assertEquals(2, filesIn(tmp), "keep=true leaves the files");
    }

    @Test
    void explicitPathIsLoadedWithoutFallback() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        Path mine = Files.write(tmp.resolve("libmine.so"), LIBRARY);
        NativeLoader.Options explicit = new NativeLoader.Options(mine.toString(), "linux-x86_64", tmp, false, false);
        assertEquals(mine, NativeLoader.load(explicit, env));
        assertEquals(List.of(mine), env.loaded);

        env.loadFailure = new UnsatisfiedLinkError("cannot open shared object file");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(explicit, env));
        assertTrue(e.getMessage().contains(mine.toString()) && e.getMessage().contains(NativeLoader.PATH_PROPERTY)
                && e.getMessage().contains("no fallback"), e.getMessage());
        assertEquals(1, env.loaded.size(), "the jar's copy was not tried");
    }

    @Test
    void missingPlatformListsWhatTheJarHas() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.load(options("plan9-mips"), env));
        assertTrue(e.getMessage().contains("'plan9-mips'"), e.getMessage());
        assertTrue(e.getMessage().contains("it contains: linux-x86_64, windows-x86_64"), e.getMessage());
        assertTrue(e.getMessage().contains(NativeLoader.PATH_PROPERTY), e.getMessage());
        assertEquals(0, filesIn(tmp));
    }

    @Test
    void checksumMismatchIsRefused() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256("other bytes".getBytes()), LIBRARY.length);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.load(options("linux-x86_64"), env));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(sha256(LIBRARY)),
                e.getMessage());
        assertTrue(env.loaded.isEmpty(), "a damaged file is never loaded");
        assertEquals(0, filesIn(tmp), "and not left behind");

        FakeEnvironment shortFile = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length + 1);
        assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(options("linux-x86_64"), shortFile));
    }

    @Test
    void missingIndexOrLibrarySaysSo() throws Exception {
        FakeEnvironment noIndex = new FakeEnvironment();
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.load(options("linux-x86_64"), noIndex));
        assertTrue(e.getMessage().contains("index.properties"), e.getMessage());

        FakeEnvironment noLibrary = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        noLibrary.resources.remove("native/linux-x86_64/libbuffers_jni.so");
        e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(options("linux-x86_64"), noLibrary));
        assertTrue(e.getMessage().contains("lacks it"), e.getMessage());
        assertEquals(0, filesIn(tmp));
    }

    @Test
    void noexecDirectoryIsNamed() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        env.loadFailure = new UnsatisfiedLinkError("failed to map segment from shared object");
        env.executable = false; // what a noexec mount reports after chmod +x
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.load(options("linux-x86_64"), env));
        assertTrue(e.getMessage().contains("noexec") && e.getMessage().contains(NativeLoader.TMPDIR_PROPERTY),
                e.getMessage());
        assertEquals(0, filesIn(tmp));

        env.executable = true; // any other load failure is reported as it is
        e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(options("linux-x86_64"), env));
        assertTrue(!e.getMessage().contains("noexec") && e.getMessage().contains("failed to map segment"),
                e.getMessage());
    }

    @Test
    void unusableTmpdirIsNamed() {
        FakeEnvironment env = new FakeEnvironment();
        env.resources.put("native/index.properties",
                "platforms=linux-x86_64\nlinux-x86_64.file=a.so\nlinux-x86_64.size=1\nlinux-x86_64.sha256=00\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        NativeLoader.Options missingDir = new NativeLoader.Options(null, "linux-x86_64", tmp.resolve("absent"),
                false, false);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(missingDir, env));
        assertTrue(e.getMessage().contains(NativeLoader.TMPDIR_PROPERTY), e.getMessage());
    }

    @Test
    void indexRejectsPathsInFileNames() throws Exception {
        NativeIndex index = NativeIndex.read(new ByteArrayInputStream(
                "platforms=x\nx.file=../evil.so\nx.size=1\nx.sha256=00\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(null, index.entry("x"));
        assertEquals(List.of("x"), index.platforms());
    }

    @Test
    void sweepRemovesOnlyOldCopies() throws Exception {
        Path old = Files.write(tmp.resolve("buffers_jni-windows-x86_64-1.dll"), LIBRARY);
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1000));
        Path fresh = Files.write(tmp.resolve("buffers_jni-windows-x86_64-2.dll"), LIBRARY);
        Path other = Files.write(tmp.resolve("unrelated.dll"), LIBRARY);
        Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.fromMillis(1000));
        assertEquals(1, NativeLoader.sweepOldCopies(tmp, System.currentTimeMillis() - NativeLoader.SWEEP_AGE_MILLIS));
        assertTrue(!Files.exists(old) && Files.exists(fresh) && Files.exists(other));
    }

    @Test
    void useSystemLoadsByNameFromTheLibraryPathAndExtractsNothing() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        NativeLoader.Options system = new NativeLoader.Options(null, true, "linux-x86_64", tmp, false, false);
        assertEquals(null, NativeLoader.load(system, env));
        assertEquals(List.of("buffers_jni"), env.loadedByName);
        assertTrue(env.loaded.isEmpty(), "nothing loaded from the jar");
        assertEquals(0, filesIn(tmp), "nothing extracted");
    }

    @Test
    void useSystemFailureNamesTheLibraryPathAndDoesNotFallBack() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        env.loadFailure = new UnsatisfiedLinkError("no buffers_jni in java.library.path");
        NativeLoader.Options system = new NativeLoader.Options(null, true, "linux-x86_64", tmp, false, false);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(system, env));
        assertTrue(e.getMessage().contains(NativeLoader.USE_SYSTEM_PROPERTY) && e.getMessage().contains("java.library.path")
                && e.getMessage().contains("no fallback"), e.getMessage());
        assertTrue(env.loaded.isEmpty(), "no fallback to the jar's copy");
    }

    @Test
    void explicitPathWinsOverUseSystem() throws Exception {
        FakeEnvironment env = new FakeEnvironment();
        Path mine = Files.write(tmp.resolve("mine.so"), LIBRARY);
        NativeLoader.Options both = new NativeLoader.Options(mine.toString(), true, "linux-x86_64", tmp, false, false);
        assertEquals(mine.toAbsolutePath(), NativeLoader.load(both, env));
        assertTrue(env.loadedByName.isEmpty());
    }

    @Test
    void muslWithoutAMuslLibrarySaysSo() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.load(options("linux-x86_64-musl"), env));
        assertTrue(e.getMessage().contains("'linux-x86_64-musl'") && e.getMessage().contains("musl libc detected")
                && e.getMessage().contains("linux-x86_64, windows-x86_64"), e.getMessage());
    }

    @Test
    void muslPicksTheMuslLibrary() throws Exception {
        FakeEnvironment env = jarWith("linux-x86_64-musl", LIBRARY, sha256(LIBRARY), LIBRARY.length);
        NativeLoader.load(options("linux-x86_64-musl"), env);
        assertEquals(1, env.loaded.size());
        assertTrue(env.loaded.get(0).getFileName().toString().startsWith("buffers_jni-linux-x86_64-musl-"));
    }

    /** The self-check's answer as the probe sees it (the real check: SelfCheckTest). */
    @Test
    void aFailedSelfCheckIsUnavailabilityWithTheCSideReason() {
        String why = "BUFFERS_ERROR_UNSUPPORTED: self-check failed at step 'append-code-call': ...";
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> NativeLoader.selfCheck(() -> -4, () -> why));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        NativeLoader.selfCheck(() -> 0, () -> {
            throw new AssertionError("no reason is asked for when the check passed");
        });
    }
}
