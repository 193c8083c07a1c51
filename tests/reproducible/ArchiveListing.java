// Used by tests/reproducible/run.sh, run as a single-file Java program:
//   java tests/reproducible/ArchiveListing.java <jar>
// Prints one line per entry, in the archive's own order: position, name, size, CRC-32, method,
// modification time to the second and the length of the extra field. Two listings that differ
// name the entries that make two archives differ (content, order, timestamp or zip metadata).
import java.io.IOException;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

public class ArchiveListing {
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java ArchiveListing.java <jar>");
            System.exit(2);
        }
        try (ZipFile zip = new ZipFile(args[0])) {
            int position = 0;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); position++) {
                ZipEntry entry = e.nextElement();
                byte[] extra = entry.getExtra();
                System.out.printf("%4d %s size=%d crc=%08x method=%d time=%s extra=%d%n", position, entry.getName(),
                        entry.getSize(), entry.getCrc(), entry.getMethod(), entry.getLastModifiedTime(),
                        extra == null ? 0 : extra.length);
            }
        }
    }
}
