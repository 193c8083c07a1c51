/**
 * Memory between a minimum and a maximum address, handed out in small pieces from buffers that every
 * user in a process shares (the Reloaded.Memory.Buffers locator format): trampolines within
 * &plusmn;2 GiB of a hooked function, JIT code in the first 2 GiB, thousands of times, from many
 * threads and from several libraries loaded into one process.
 *
 * <p>Start with {@link reloaded.memory.buffers.Buffers}: {@code getBuffer} with
 * {@link reloaded.memory.buffers.BufferSearchSettings} ({@code rel32}, {@code within},
 * {@code fromProximity}) gives a locked {@link reloaded.memory.buffers.Buffer} to append code to
 * or to {@code reserve} bytes in; {@code write}/{@code writeCode} do the three steps in one call;
 * {@code ofProcess} opens another process's buffers. Failures are exceptions:
 * {@link reloaded.memory.buffers.BufferAllocationException} when nothing fits or the locator cannot
 * be used, {@link IllegalArgumentException} for bad input, {@link SecurityException} when the
 * operating system refuses access to another process, {@link UnsupportedOperationException} where
 * the platform cannot do what was asked.
 *
 * <p>The native library is loaded on first use, once per class loader, from the copy for this
 * platform inside the jar. System properties that change how (each also readable from the
 * environment variable named beside it):
 * <table>
 * <caption>Loader and locator properties</caption>
 * <tr><th>property</th><th>environment</th><th>effect</th></tr>
 * <tr><td>{@code reloaded.buffers.native.useSystem=true}</td>
 *     <td>{@code RELOADED_BUFFERS_NATIVE_USE_SYSTEM}</td>
 *     <td>load {@code buffers_jni} from {@code java.library.path} instead of the jar's copy</td></tr>
 * <tr><td>{@code reloaded.buffers.native.tmpdir}</td><td>{@code RELOADED_BUFFERS_NATIVE_TMPDIR}</td>
 *     <td>where the jar's copy is extracted (default {@code java.io.tmpdir})</td></tr>
 * <tr><td>{@code reloaded.buffers.native.debug=true}</td><td>&nbsp;</td>
 *     <td>trace each loading step to standard error</td></tr>
 * <tr><td>{@code reloaded.buffers.sharedRoot}</td><td>{@code BUFFERS_SHARED_ROOT}</td>
 *     <td>the folder the locator files live under (default {@code /tmp}); read when the library
 *     loads</td></tr>
 * </table>
 *
 * <p>{@link reloaded.memory.buffers.Buffers#isAvailable()} probes the library without throwing.
 * From JDK 24 on, native access must be enabled for this module or the class path (see the README).
 */
package reloaded.memory.buffers;
