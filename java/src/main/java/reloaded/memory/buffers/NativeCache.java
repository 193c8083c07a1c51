package reloaded.memory.buffers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;

/**
 * A private folder that keeps one verified copy of the JNI library between runs (opt-in,
 * {@code reloaded.buffers.native.cache}; the CLI launcher bin/buffers sets it), so a short-lived JVM
 * skips extracting and hashing it. The copy is reused only when it is provably the file that was
 * verified: the folder and each folder above it can be changed by this user or root alone (others
 * may write only a sticky folder, where they cannot rename or remove our entries), and the file is
 * the same inode with the same change time (ctime, which no user can set back) as recorded right
 * after its SHA-256 was checked. Anything else is not loaded: the caller extracts a fresh copy.
 * POSIX file systems only; elsewhere {@link #untrusted} says so and the cache is not used.
 */
final class NativeCache {
    private static final String STAMP_SUFFIX = ".verified";
    private static final int GROUP_OTHER_WRITE = 0022;
    private static final int GROUP_OTHER_ANY = 0077;
    private static final int ANY_WRITE = 0222;
    private static final int STICKY = 01000;

    private NativeCache() {
    }

    /** The cached copy's name: the platform and the SHA-256 the index gives for it. */
    static Path file(Path dir, NativeIndex.Entry entry) {
        int dot = entry.file.lastIndexOf('.');
        return dir.resolve("buffers_jni-" + entry.platform + "-" + entry.sha256.toLowerCase(java.util.Locale.ROOT)
                + (dot < 0 ? "" : entry.file.substring(dot)));
    }

    /**
     * Why the folder cannot hold a trusted copy, or null when it can. Creates it (mode 700) when it
     * is missing and the folders above it are trusted.
     */
    static String untrusted(Path dir) {
        try {
            Path absolute = dir.toAbsolutePath().normalize();
            for (Path above = absolute.getParent(); above != null; above = above.getParent()) {
                Map<String, Object> a = unix(above);
                int mode = (Integer) a.get("mode");
                boolean ownerOk = (Integer) a.get("uid") == 0 || mine(above);
                if (!ownerOk || ((mode & GROUP_OTHER_WRITE) != 0 && (mode & STICKY) == 0)) {
                    return above + " (above the cache) may be changed by another user";
                }
            }
            if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(EnumSet.of(
                        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE)));
            }
            Map<String, Object> own = unix(absolute);
            if (!Boolean.TRUE.equals(own.get("isDirectory")) || !mine(absolute)
                    || ((Integer) own.get("mode") & GROUP_OTHER_ANY) != 0) {
                return absolute + " is not a folder of this user's with mode 700";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot check " + dir + ": " + e;
        }
    }

    /** Whether the copy in the cache is the one verified (see the class comment); never throws. */
    static boolean verified(Path file, NativeIndex.Entry entry) {
        try {
            Map<String, Object> a = unix(file);
            if (!Boolean.TRUE.equals(a.get("isRegularFile")) || (long) a.get("size") != entry.size
                    || ((Integer) a.get("mode") & ANY_WRITE) != 0 || !mine(file)) {
                return false;
            }
            Path stamp = stampOf(file);
            if (!Boolean.TRUE.equals(unix(stamp).get("isRegularFile"))) {
                return false;
            }
            return new String(Files.readAllBytes(stamp), StandardCharsets.US_ASCII).equals(stamp(a));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Makes a copy whose SHA-256 was just checked the cached one: read-only, moved over the cached
     * name in one step, then stamped with what it is now.
     */
    static void keep(Path checked, Path file) throws IOException {
        Files.setPosixFilePermissions(checked, EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_EXECUTE));
        try {
            Files.move(checked, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache folder cannot rename atomically", e);
        }
        // Another run may replace the file between the move and this read: its stamp then does not
        // match, and the next run checks a fresh copy.
        Path stamp = stampOf(file);
        Path fresh = Files.createTempFile(file.getParent(), "stamp-", ".tmp");
        Files.write(fresh, stamp(unix(file)).getBytes(StandardCharsets.US_ASCII));
        Files.move(fresh, stamp, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path stampOf(Path file) {
        return file.resolveSibling(file.getFileName() + STAMP_SUFFIX);
    }

    private static String stamp(Map<String, Object> attributes) {
        return "ino=" + attributes.get("ino") + " ctime=" + attributes.get("ctime") + " size=" + attributes.get("size");
    }

    private static Map<String, Object> unix(Path path) throws IOException {
        return Files.readAttributes(path, "unix:ino,ctime,size,uid,mode,isDirectory,isRegularFile",
                LinkOption.NOFOLLOW_LINKS);
    }

    /** Owned by the user this JVM runs as (by name: Java has no call for its own uid). */
    private static boolean mine(Path path) throws IOException {
        return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
    }
}
