package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader's kept copy (reloaded.buffers.native.cache, used by the CLI launcher) against a fake jar
 * and a fake System.load: a checked copy is reused without the jar, and only while it is provably the
 * file that was checked; a replaced, edited, linked or planted file, or a folder others can change,
 * is never loaded. (The loader's other rules: NativeLoaderTest.)
 */
class NativeCacheTest {
    private static final byte[] LIBRARY = "not really an ELF file".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLANTED = "NOT REALLY AN ELF FILE".getBytes(StandardCharsets.US_ASCII); // same size
    private static final String PLATFORM = "linux-x86_64";
    private static final String RESOURCE = "native/linux-x86_64/libbuffers_jni.so";

    @TempDir
    Path tmp;
    private Path tmpdir;
    private Path cache;
    private NativeLoaderTest.FakeEnvironment env;

    @BeforeEach
    void jar() throws Exception {
        tmpdir = Files.createDirectory(tmp.resolve("tmpdir"));
        cache = tmp.resolve("cache");
        env = NativeLoaderTest.jarWith(PLATFORM, LIBRARY, NativeLoaderTest.sha256(LIBRARY), LIBRARY.length);
    }

    private NativeLoader.Options cached() {
        return new NativeLoader.Options(null, false, PLATFORM, tmpdir, false, false, cache);
    }

    private Path cachedFile() throws Exception {
        return NativeCache.file(cache, new NativeIndex.Entry(PLATFORM, "libbuffers_jni.so", LIBRARY.length,
                NativeLoaderTest.sha256(LIBRARY)));
    }

    private static long filesIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /** The last load got the jar's bytes (not a planted file's). */
    private void lastLoadWasTheJarsLibrary() {
        assertArrayEquals(LIBRARY, env.loadedBytes.get(env.loadedBytes.size() - 1));
    }

    @Test
    void aCheckedCopyIsKeptAndLaterLoadsUseItWithoutTheJar() throws Exception {
        Path first = NativeLoader.load(cached(), env);
        assertEquals(cachedFile(), first);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)),
                "the folder is made private");
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)),
                "the copy is read-only");
        lastLoadWasTheJarsLibrary();

        env.resources.remove(RESOURCE); // a second load must not read (or hash) the jar's copy
        assertEquals(first, NativeLoader.load(cached(), env));
        assertEquals(2, env.loaded.size());
        assertEquals(0, filesIn(tmpdir), "no copy of its own in the tmpdir");
    }

    @Test
    void aFileReplacedAtTheNameIsNotLoaded() throws Exception {
        Path file = NativeLoader.load(cached(), env);
        Files.delete(file);
        Files.write(file, PLANTED); // same size, same name, new inode
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
        assertEquals(file, NativeLoader.load(cached(), env));
        lastLoadWasTheJarsLibrary();
        assertArrayEquals(LIBRARY, Files.readAllBytes(file), "checked again and put back");
    }

    @Test
    void aFileEditedInPlaceIsNotLoaded() throws Exception {
        Path file = NativeLoader.load(cached(), env);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        Files.write(file, PLANTED); // same inode, new change time
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
        NativeLoader.load(cached(), env);
        lastLoadWasTheJarsLibrary();
    }

    @Test
    void aFilePlantedBeforeAnyRunOrALinkIsNotLoaded() throws Exception {
        Files.createDirectory(cache, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.write(cachedFile(), PLANTED);
        Files.setPosixFilePermissions(cachedFile(), PosixFilePermissions.fromString("r-x------"));
        NativeLoader.load(cached(), env);
        lastLoadWasTheJarsLibrary();

        Path elsewhere = Files.write(tmp.resolve("elsewhere.so"), PLANTED);
        Files.delete(cachedFile());
        Files.createSymbolicLink(cachedFile(), elsewhere);
        NativeLoader.load(cached(), env);
        lastLoadWasTheJarsLibrary();
        assertFalse(Files.isSymbolicLink(cachedFile()), "the link is replaced by a checked copy");
    }

    @Test
    void aFolderOthersCanChangeIsNotUsed() throws Exception {
        Files.createDirectory(cache);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNotNull(NativeCache.untrusted(cache));
        Path loaded = NativeLoader.load(cached(), env);
        assertTrue(loaded.startsWith(tmpdir), "a copy of its own instead: " + loaded);
        assertEquals(0, filesIn(cache), "nothing put in the open folder");

        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx")); // not sticky
        Path below = open.resolve("cache");
        assertTrue(NativeCache.untrusted(below).contains("above the cache"), NativeCache.untrusted(below));
        assertFalse(Files.exists(below), "not made there either");
        assertNull(NativeCache.untrusted(cache.resolveSibling("fresh")), "a private folder is made and used");
    }

    @Test
    void aKeptCopyThatCannotBeLoadedFallsBackToACopyOfItsOwn() throws Exception {
        NativeLoaderTest.FakeEnvironment refusing = new NativeLoaderTest.FakeEnvironment() {
            @Override
            public void load(Path library) {
                if (library.startsWith(cache)) { // as another class loader of this JVM holding it
                    throw new UnsatisfiedLinkError("Native Library " + library + " already loaded in another classloader");
                }
                super.load(library);
            }
        };
        refusing.resources.putAll(env.resources);
        Path loaded = NativeLoader.load(cached(), refusing);
        assertTrue(loaded.startsWith(tmpdir), loaded.toString());
        assertArrayEquals(LIBRARY, refusing.loadedBytes.get(0));
        assertEquals(0, filesIn(tmpdir), "its own copy deleted after loading, as without the cache");
    }

    @Test
    void aDamagedJarIsStillRefusedAndNothingIsKept() throws Exception {
        NativeLoaderTest.FakeEnvironment damaged = NativeLoaderTest.jarWith(PLATFORM, LIBRARY,
                NativeLoaderTest.sha256(PLANTED), LIBRARY.length);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.load(cached(), damaged));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(damaged.loaded.isEmpty());
        assertEquals(0, filesIn(cache), "no copy kept");
        assertEquals(0, filesIn(tmpdir));
    }
}
