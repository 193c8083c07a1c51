/*
 * Starts Apache Felix, installs the library jar as a bundle, starts it and calls
 * reloaded.memory.buffers.Buffers.version() through the bundle's own class loader (run by run.sh,
 * with Felix on the class path). Exit 0 with one "ok" line when the bundle resolved, started and
 * answered the expected version; otherwise a message and exit 1.
 *   usage: java -cp felix.jar FelixHost.java LIBRARY_JAR EXPECTED_VERSION STORAGE_DIR
 */
import java.io.File;
import java.util.Map;
import java.util.ServiceLoader;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;

public final class FelixHost {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            fail("usage: FelixHost LIBRARY_JAR EXPECTED_VERSION STORAGE_DIR");
        }
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework framework = factory.newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, args[2],
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            Bundle bundle = context.installBundle(new File(args[0]).toURI().toString());
            bundle.start(); // resolves first: fails here if an import or the osgi.ee requirement is unmet
            if (bundle.getState() != Bundle.ACTIVE) {
                fail("bundle state " + bundle.getState() + ", not ACTIVE");
            }
            check("Bundle-SymbolicName", bundle.getSymbolicName(), "reloaded.memory.buffers");
            check("Bundle-Version", bundle.getVersion().toString(), args[1]);
            Class<?> buffers = bundle.loadClass("reloaded.memory.buffers.Buffers");
            ClassLoader bundleLoader = bundle.adapt(BundleWiring.class).getClassLoader();
            if (buffers.getClassLoader() != bundleLoader) {
                fail("Buffers was loaded by " + buffers.getClassLoader() + ", not by the bundle");
            }
            Object available = buffers.getMethod("isAvailable").invoke(null);
            if (!Boolean.TRUE.equals(available)) {
                fail("Buffers.isAvailable() is false in the bundle: " + buffers.getMethod("unavailabilityCause").invoke(null));
            }
            check("Buffers.version()", (String) buffers.getMethod("version").invoke(null), args[1]);
            System.out.println("bundle " + bundle.getSymbolicName() + " " + bundle.getVersion()
                    + " ACTIVE in " + framework.getSymbolicName() + " " + framework.getVersion()
                    + ", Buffers.version() = " + args[1] + " through the bundle's class loader: ok");
            bundle.stop();
        } finally {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    private static void check(String what, String actual, String expected) {
        if (!expected.equals(actual)) {
            fail(what + " is " + actual + ", expected " + expected);
        }
    }

    private static void fail(String message) {
        System.err.println("FelixHost: " + message);
        System.exit(1);
    }
}
