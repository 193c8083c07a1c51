/**
 * Memory between a minimum and a maximum address, from buffers shared by every user in a process
 * (the Reloaded.Memory.Buffers locator format), through a bundled JNI library.
 *
 * <p>The API is the package {@code reloaded.memory.buffers}; the command line tool
 * ({@code reloaded.memory.buffers.cli}) is not exported. On JDK 22 and newer, grant native access
 * with {@code --enable-native-access=reloaded.memory.buffers} when the jar is on the module path
 * ({@code ALL-UNNAMED} on the class path).
 */
module reloaded.memory.buffers {
    exports reloaded.memory.buffers;
}
