package reloaded.memory.buffers.nativeaccess;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.Reservation;

/**
 * Run in a child JVM by WriteXorExecuteTest (the mode is chosen once per process). Argument "call":
 * Buffers.useWriteXorExecute() first; "late": a write first, then the call (which must throw); none:
 * whatever the environment says. Then reserve, fill, commit, read back, and print what was seen.
 */
public final class WriteXorExecuteMain {
    private WriteXorExecuteMain() {
    }

    public static void main(String[] args) {
        String how = args.length > 0 ? args[0] : "";
        if (how.equals("call")) {
            Buffers.useWriteXorExecute();
        } else if (how.equals("late")) {
            Buffers.write(BufferSearchSettings.defaults(), new byte[] {1});
            try {
                Buffers.useWriteXorExecute();
                System.out.println("late: accepted");
            } catch (RuntimeException refused) {
                System.out.println("late: " + refused.getMessage());
            }
        }
        long address, writable;
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(4))) {
            Reservation reservation = buffer.reserve(4);
            reservation.write(0, new byte[] {(byte) 0xC3, 1, 2, 3});
            reservation.commit();
            address = reservation.address();
            writable = reservation.writableAddress();
        }
        byte[] back = new byte[4];
        Buffers.read(address, back);
        System.out.println("distinct=" + (address != writable));
        System.out.println("bytes=" + (back[0] == (byte) 0xC3 && back[3] == 3 ? "ok" : "wrong"));
        System.out.println("reason=" + Buffers.writeXorExecuteReason());
    }
}
