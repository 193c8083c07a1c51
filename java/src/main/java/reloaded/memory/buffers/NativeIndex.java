package reloaded.memory.buffers;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * The jar's {@code native/index.properties}: per platform the library's file name, size and SHA-256
 * (written at build time by java/build/NativeIndex.java).
 */
final class NativeIndex {
    /** One platform's library as the index describes it. */
    static final class Entry {
        final String platform;
        final String file;
        final long size;
        final String sha256;

        Entry(String platform, String file, long size, String sha256) {
            this.platform = platform;
            this.file = file;
            this.size = size;
            this.sha256 = sha256;
        }
    }

    private final Properties properties;

    private NativeIndex(Properties properties) {
        this.properties = properties;
    }

    static NativeIndex read(InputStream in) throws IOException {
        Properties properties = new Properties();
        properties.load(in);
        return new NativeIndex(properties);
    }

    /** The platforms the jar holds a library for, in index order. */
    List<String> platforms() {
        List<String> list = new ArrayList<>();
        for (String p : properties.getProperty("platforms", "").split(",")) {
            if (!p.isBlank()) {
                list.add(p.trim());
            }
        }
        return Collections.unmodifiableList(list);
    }

    /** The version of the build that wrote the index. */
    String version() {
        return properties.getProperty("version", "unknown");
    }

    /** The entry for a platform, or null if the jar has none. */
    Entry entry(String platform) {
        String file = properties.getProperty(platform + ".file");
        String size = properties.getProperty(platform + ".size");
        String sha = properties.getProperty(platform + ".sha256");
        if (file == null || size == null || sha == null || file.contains("/") || file.contains("..")) {
            return null;
        }
        try {
            return new Entry(platform, file, Long.parseLong(size), sha);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
