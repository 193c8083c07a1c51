package demo.modular;

import java.nio.charset.StandardCharsets;

import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;

/** Writes into a buffer in the first 2 GiB and reads it back; prints what happened, exits 0 on success. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        byte[] data = "modular".getBytes(StandardCharsets.US_ASCII);
        long at = Buffers.write(new BufferSearchSettings(0, 0x7FFFFFFFL, data.length), data);
        byte[] back = new byte[data.length];
        Buffers.read(at, back);
        boolean ok = new String(back, StandardCharsets.US_ASCII).equals("modular");
        System.out.println("module " + Buffers.class.getModule().getName() + " wrote at 0x" + Long.toHexString(at)
                + (ok ? " ok" : " MISMATCH"));
        System.exit(ok ? 0 : 1);
    }
}
