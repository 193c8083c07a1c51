package reloaded.memory.buffers;

/**
 * JEP 472 (JDK 24+): loading the native library and the JDK 22+ FFM route are restricted methods.
 * This says which {@code --enable-native-access} flag lets them run: the module's name on the
 * module path ({@value #MODULE}), {@code ALL-UNNAMED} on the class path.
 */
final class NativeAccess {
    /** The module name the jar has on the module path. */
    static final String MODULE = "reloaded.memory.buffers";

    private NativeAccess() {
    }

    /** The flag that grants native access to the code of the given module. */
    static String flag(Module module) {
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** The error for a load the JVM refused because native access is not enabled for us. */
    static UnsatisfiedLinkError denied(IllegalCallerException cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("libbuffers: the JVM denied native access to "
                + where(NativeAccess.class.getModule()) + " (" + cause.getMessage() + "). Start java with "
                + flag(NativeAccess.class.getModule()) + " (class path: --enable-native-access=ALL-UNNAMED;"
                + " module path: --enable-native-access=" + MODULE + "; an executable jar's manifest already"
                + " says Enable-Native-Access: ALL-UNNAMED)");
        error.initCause(cause);
        return error;
    }

    private static String where(Module module) {
        return module.isNamed() ? "module " + module.getName() : "the class path (unnamed module)";
    }
}
