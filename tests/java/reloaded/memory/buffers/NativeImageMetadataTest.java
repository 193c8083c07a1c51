package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import reloaded.memory.buffers.cli.JsonParser;

/**
 * The GraalVM native-image metadata shipped in the jar (issue 20, point 5) against the code it
 * describes: jni-config.json must list every native method of every class of the library (bound by
 * RegisterNatives in jni_register.c, which native-image only allows for registered methods) with
 * its exact parameter types, and every class and method the JNI glue looks up (FindClass,
 * Get[Static]MethodID in native/jni/*.c, path in the system property buffers.jni.sources);
 * RegisterNatives' table must bind exactly those natives with their JNI descriptors; and
 * resource-config.json must include the bundled libraries and their index.
 */
class NativeImageMetadataTest {
    private static final String DIR = "META-INF/native-image/reloaded.memory/reloaded-memory-buffers/";
    private static final Pattern FIND_CLASS = Pattern.compile("FindClass\\(env, \"([^\"]+)\"\\)");
    private static final Pattern DEFAULT_CLASS = Pattern.compile("#define DEFAULT_CLASS \"([^\"]+)\"");
    private static final Pattern GET_METHOD = Pattern.compile("Get(?:Static)?MethodID\\(env, \\w+, \"(\\w+)\", \"([^\"]+)\"\\)");
    private static final Pattern REGISTERED = Pattern.compile("\\{\"(\\w+)\", \"(\\([^\"]*\\)[^\"]+)\", \\(void \\*\\)");

    /** class name -> "method(param,param)" entries of jni-config.json. */
    private static Map<String, Set<String>> jniConfig() throws IOException {
        Map<String, Set<String>> classes = new TreeMap<>();
        for (Object entry : (List<?>) JsonParser.parse(resource("jni-config.json"))) {
            Map<?, ?> type = (Map<?, ?>) entry;
            Set<String> methods = classes.computeIfAbsent((String) type.get("name"), k -> new TreeSet<>());
            Object listed = type.get("methods");
            for (Object m : listed == null ? List.of() : (List<?>) listed) {
                Map<?, ?> method = (Map<?, ?>) m;
                methods.add(method.get("name") + "(" + String.join(",", strings(method.get("parameterTypes"))) + ")");
            }
        }
        return classes;
    }

    @Test
    void everyNativeMethodIsListedWithItsParameterTypes() throws Exception {
        Map<String, Set<String>> config = jniConfig();
        Map<String, Set<String>> natives = new TreeMap<>();
        for (Class<?> type : libraryClasses()) {
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isNative(method.getModifiers())) {
                    natives.computeIfAbsent(type.getName(), k -> new TreeSet<>()).add(entry(method));
                }
            }
        }
        assertFalse(natives.isEmpty(), "no native method found in " + classesDir());
        for (Map.Entry<String, Set<String>> type : natives.entrySet()) {
            Set<String> listed = config.getOrDefault(type.getKey(), Set.of());
            Set<String> missing = new TreeSet<>(type.getValue());
            missing.removeAll(listed);
            assertTrue(missing.isEmpty(), "jni-config.json lacks natives of " + type.getKey() + ": " + missing);
        }
        // Nothing stale: a library class's listed method is one of its natives.
        for (Map.Entry<String, Set<String>> type : config.entrySet()) {
            if (type.getKey().startsWith("reloaded.memory.buffers.")) {
                Set<String> stale = new TreeSet<>(type.getValue());
                stale.removeAll(natives.getOrDefault(type.getKey(), Set.of()));
                assertTrue(stale.isEmpty(), "jni-config.json lists what " + type.getKey() + " does not declare native: " + stale);
            }
        }
    }

    @Test
    void registerNativesBindsExactlyTheNativesWithTheirDescriptors() throws Exception {
        Map<String, String> table = new TreeMap<>();
        Matcher m = REGISTERED.matcher(glue("jni_register.c"));
        while (m.find()) {
            table.put(m.group(1), m.group(2));
        }
        Map<String, String> declared = new TreeMap<>();
        for (Method method : NativeBuffers.class.getDeclaredMethods()) {
            if (Modifier.isNative(method.getModifiers())) {
                declared.put(method.getName(), descriptor(method));
            }
        }
        assertEquals(declared, table, "jni_register.c's METHODS against NativeBuffers' native methods");
    }

    @Test
    void everyClassAndMethodTheGlueLooksUpIsListed() throws Exception {
        Map<String, Set<String>> config = jniConfig();
        Set<String> found = new TreeSet<>();
        Set<String> lookedUp = new TreeSet<>();
        for (Path source : glueSources()) {
            String c = Files.readString(source);
            for (Pattern p : List.of(FIND_CLASS, DEFAULT_CLASS)) {
                Matcher m = p.matcher(c);
                while (m.find()) {
                    found.add(m.group(1).replace('/', '.'));
                }
            }
            Matcher m = GET_METHOD.matcher(c);
            while (m.find()) {
                lookedUp.add(m.group(1) + "(" + String.join(",", parameterTypes(m.group(2))) + ")");
            }
        }
        assertTrue(found.contains(NativeBuffers.class.getName()), "the glue's classes: " + found);
        for (String name : found) {
            assertTrue(config.containsKey(name), "jni-config.json lacks " + name + ", which the glue finds with FindClass");
        }
        assertFalse(lookedUp.isEmpty());
        for (String method : lookedUp) {
            assertTrue(found.stream().anyMatch(type -> config.get(type).contains(method)),
                    "jni-config.json lacks " + method + ", which the glue looks up (classes " + found + ")");
        }
    }

    @Test
    void theBundledLibrariesAndTheirIndexAreResources() throws Exception {
        Map<?, ?> resources = (Map<?, ?>) ((Map<?, ?>) JsonParser.parse(resource("resource-config.json"))).get("resources");
        List<Pattern> includes = new ArrayList<>();
        for (Object include : (List<?>) resources.get("includes")) {
            includes.add(Pattern.compile((String) ((Map<?, ?>) include).get("pattern")));
        }
        Path nativeDir = classesDir().resolve("reloaded/memory/buffers/native");
        List<String> wanted;
        try (Stream<Path> files = Files.walk(nativeDir)) {
            wanted = files.filter(Files::isRegularFile).map(f -> classesDir().relativize(f).toString().replace('\\', '/')).toList();
        }
        assertTrue(wanted.contains("reloaded/memory/buffers/native/index.properties"), "built natives: " + wanted);
        assertTrue(wanted.size() >= 2, "built natives: " + wanted);
        for (String name : wanted) {
            assertTrue(includes.stream().anyMatch(p -> p.matcher(name).matches()), "resource-config.json does not include " + name);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = NativeImageMetadataTest.class.getClassLoader().getResourceAsStream(DIR + name)) {
            assertNotNull(in, DIR + name + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path classesDir() {
        String dir = System.getProperty("buffers.test.classes");
        assertNotNull(dir, "system property buffers.test.classes (set by pom.xml) is missing");
        return Path.of(dir);
    }

    private static List<Path> glueSources() throws IOException {
        String dir = System.getProperty("buffers.jni.sources");
        assertNotNull(dir, "system property buffers.jni.sources (set by pom.xml) is missing");
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            List<Path> c = files.filter(f -> f.toString().endsWith(".c")).sorted().toList();
            assertFalse(c.isEmpty(), "no .c file in " + dir);
            return c;
        }
    }

    private static String glue(String name) throws IOException {
        return Files.readString(Path.of(System.getProperty("buffers.jni.sources"), name));
    }

    /** The library's classes, from the compiled tree (the JDK 17 ones; natives are not versioned). */
    private static List<Class<?>> libraryClasses() throws Exception {
        Path root = classesDir();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("reloaded"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = root.relativize(f).toString().replace('\\', '/').replace('/', '.');
                classes.add(Class.forName(name.substring(0, name.length() - ".class".length()), false,
                        NativeImageMetadataTest.class.getClassLoader()));
            }
        }
        return classes;
    }

    private static String entry(Method method) {
        List<String> types = new ArrayList<>();
        for (Class<?> p : method.getParameterTypes()) {
            types.add(p.getTypeName());
        }
        return method.getName() + "(" + String.join(",", types) + ")";
    }

    private static String descriptor(Method method) {
        StringBuilder d = new StringBuilder("(");
        for (Class<?> p : method.getParameterTypes()) {
            d.append(p.descriptorString());
        }
        return d.append(')').append(method.getReturnType().descriptorString()).toString();
    }

    /** The Java type names of a JNI descriptor's parameters, as jni-config.json writes them. */
    private static List<String> parameterTypes(String descriptor) {
        List<String> types = new ArrayList<>();
        int i = 1;
        while (descriptor.charAt(i) != ')') {
            int dims = 0;
            while (descriptor.charAt(i) == '[') {
                dims++;
                i++;
            }
            String type;
            if (descriptor.charAt(i) == 'L') {
                int end = descriptor.indexOf(';', i);
                type = descriptor.substring(i + 1, end).replace('/', '.');
                i = end + 1;
            } else {
                type = switch (descriptor.charAt(i)) {
                    case 'Z' -> "boolean"; case 'B' -> "byte"; case 'C' -> "char"; case 'S' -> "short";
                    case 'I' -> "int"; case 'J' -> "long"; case 'F' -> "float"; case 'D' -> "double";
                    default -> throw new IllegalArgumentException("bad descriptor " + descriptor);
                };
                i++;
            }
            types.add(type + "[]".repeat(dims));
        }
        return types;
    }

    private static List<String> strings(Object list) {
        List<String> out = new ArrayList<>();
        for (Object o : list == null ? List.of() : (List<?>) list) {
            out.add((String) o);
        }
        return out;
    }
}
