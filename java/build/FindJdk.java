// Build step (run by Maven as a single-file Java program, see pom.xml):
//   java java/build/FindJdk.java <out.properties> --javac=<requested javac or empty> [--search=<dir>:<dir>...]
// Finds a JDK 22 or newer to compile java/src/main/java22 (Segments, the FFM route) into
// META-INF/versions/22 and to document it, whatever JDK runs Maven, so that every build makes the
// same jar. Writes jdk22.javac, jdk22.javadoc and jdk22.home to <out.properties>; prints nothing on
// success. Looks, in this order, at: the javac named by -Djdk22.javac (it must be 22+), the JDK
// running Maven, the JDKs of ~/.m2/toolchains.xml, and the JDKs installed in the usual folders
// (or those of --search), taking the newest. Finding none fails the build with what it looked at.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class FindJdk {
    static final int MINIMUM = 22;
    static final List<String> USUAL = List.of("/usr/lib/jvm", "/usr/java", "/opt/java", "/opt/jdk",
            "~/.sdkman/candidates/java", "~/.jdks", "/Library/Java/JavaVirtualMachines");

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || !args[1].startsWith("--javac=")) {
            System.err.println("usage: java FindJdk.java <out.properties> --javac=<javac or empty> [--search=<dirs>]");
            System.exit(2);
        }
        String requested = args[1].substring("--javac=".length()).trim();
        List<String> search = USUAL;
        if (args.length > 2 && args[2].startsWith("--search=") && !args[2].equals("--search=")) {
            search = List.of(args[2].substring("--search=".length()).split(":"));
        }
        List<String> looked = new ArrayList<>();
        Path home = find(requested, search, looked);
        if (home == null) {
            System.err.println("[find-jdk] ERROR: no JDK " + MINIMUM + " or newer found. The jar must hold the JDK "
                    + MINIMUM + "+ classes (Segments, the java.lang.foreign route in META-INF/versions/" + MINIMUM
                    + "), which only a JDK " + MINIMUM + "+ javac compiles; rather than ship a smaller jar the build"
                    + " stops. Looked at:\n  " + String.join("\n  ", looked) + "\nInstall a JDK " + MINIMUM
                    + "+ into one of those folders, list one in ~/.m2/toolchains.xml, run Maven on one, or name its"
                    + " compiler with -Djdk22.javac=<JDK " + MINIMUM + "+ home>/bin/javac.");
            System.exit(1);
        }
        String text = "# Written by java/build/FindJdk.java\n"
                + "jdk22.home=" + escape(home) + "\n"
                + "jdk22.javac=" + escape(home.resolve("bin").resolve("javac")) + "\n"
                + "jdk22.javadoc=" + escape(home.resolve("bin").resolve("javadoc")) + "\n";
        Path out = Paths.get(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Path find(String requested, List<String> search, List<String> looked) throws IOException {
        if (!requested.isEmpty()) {
            Path javac = Paths.get(requested).toAbsolutePath();
            Path home = javac.getParent() == null ? null : javac.getParent().getParent();
            int feature = home == null || !Files.isExecutable(javac) ? 0 : feature(home);
            if (feature >= MINIMUM) {
                return home;
            }
            // Named explicitly: never fall back to another JDK.
            System.err.println("[find-jdk] ERROR: -Djdk22.javac=" + requested + " is not the javac of a JDK "
                    + MINIMUM + " or newer (" + (feature == 0 ? "no such javac" : "JDK " + feature) + ")");
            System.exit(1);
        }
        Path running = Paths.get(System.getProperty("java.home"));
        int runningFeature = Runtime.version().feature();
        looked.add("the JDK running Maven: " + running + " (JDK " + runningFeature + ")");
        if (runningFeature >= MINIMUM && Files.isExecutable(running.resolve("bin").resolve("javac"))) {
            return running;
        }
        List<Path> candidates = new ArrayList<>(toolchainHomes(looked));
        for (String dir : search) {
            Path root = Paths.get(dir.replaceFirst("^~", Matcher.quoteReplacement(System.getProperty("user.home"))));
            List<Path> homes = subfolders(root);
            looked.add(root + "/*: " + describe(homes));
            candidates.addAll(homes);
        }
        Path best = null;
        int bestFeature = 0;
        for (Path candidate : candidates) {
            Path home = Files.isDirectory(candidate.resolve("Contents/Home")) ? candidate.resolve("Contents/Home")
                    : candidate;
            int feature = Files.isExecutable(home.resolve("bin").resolve("javac")) ? feature(home) : 0;
            if (feature >= MINIMUM && feature > bestFeature) {
                best = home;
                bestFeature = feature;
            }
        }
        return best;
    }

    /** The jdkHome of every JDK toolchain in ~/.m2/toolchains.xml. */
    private static List<Path> toolchainHomes(List<String> looked) throws IOException {
        Path file = Paths.get(System.getProperty("user.home"), ".m2", "toolchains.xml");
        List<Path> homes = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            Matcher m = Pattern.compile("<jdkHome>\\s*([^<]+?)\\s*</jdkHome>").matcher(Files.readString(file));
            while (m.find()) {
                homes.add(Paths.get(m.group(1)));
            }
        }
        looked.add(file + ": " + describe(homes));
        return homes;
    }

    private static List<Path> subfolders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** The JDKs among the folders with their versions, e.g. "java-17-openjdk-amd64 (JDK 17)", or "no JDK". */
    private static String describe(List<Path> homes) {
        List<String> parts = new ArrayList<>();
        for (Path home : homes) {
            int feature = feature(home);
            if (feature > 0) {
                parts.add(home.getFileName() + " (JDK " + feature + ")");
            }
        }
        return parts.isEmpty() ? "no JDK" : String.join(", ", parts);
    }

    /** The JDK's feature version from its release file (JAVA_VERSION="25.0.3"), or 0 if it has none. */
    static int feature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) && Files.isDirectory(home.resolve("Contents/Home"))) {
            release = home.resolve("Contents/Home/release");
        }
        try {
            Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(1\\.)?(\\d+)").matcher(Files.readString(release));
            return m.find() ? Integer.parseInt(m.group(2)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A path as a properties value (backslashes and colons escaped). */
    private static String escape(Path path) {
        return path.toString().replace("\\", "\\\\").replace(":", "\\:");
    }
}
