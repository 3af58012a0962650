package io.understudy.backup.capture;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.Field;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;

/**
 * The next frame of an open pcap4j handle, by libpcap's {@code pcap_next_ex} with the two out-pointers reused: no
 * allocation but the frame's bytes. pcap4j's {@code getNextRawPacket} builds a JNA {@code pcap_pkthdr} structure on
 * every call (reflection over its fields, a native allocation and a cleaner), also when no frame is waiting: a tap
 * polling a busy LAN made 150 MB/s of garbage that way (JFR allocation samples, 20 lab connections), and young
 * collections of 45-85 ms every second or so stopped the tap, the heartbeat and any takeover under way.
 * <p>
 * One reader per handle, used from one thread; the handle must stay open while the thread reads (the tap closes its
 * agent before its handle). The handle keeps its filter, blocking mode and statistics, which pcap4j still serves.
 */
public final class PcapFrames {
    static {
        Native.register(
                PcapFrames.class, NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
    }

    /** {@code struct pcap_pkthdr}: a {@code struct timeval} (two longs), then caplen and len (32 bits each). */
    private static final int CAPLEN_OFFSET = 2 * NativeLong.SIZE;

    private static final int LEN_OFFSET = CAPLEN_OFFSET + 4;

    private final PcapHandle handle;
    private final Pointer pcap;
    private final PointerByReference header = new PointerByReference();
    private final PointerByReference data = new PointerByReference();
    private long timestampMicros;
    private int originalLength;

    public PcapFrames(final PcapHandle handle) {
        this.handle = handle;
        this.pcap = pcapOf(handle);
    }

    private static native int pcap_next_ex(Pointer pcap, PointerByReference header, PointerByReference data);

    /**
     * The next captured frame (its captured bytes, at most the snap length), or null when none is waiting (a
     * non-blocking handle) or the handle's timeout passed.
     *
     * @throws NotOpenException      the handle was closed.
     * @throws IllegalStateException libpcap reported an error (its message).
     */
    public byte[] next() throws NotOpenException {
        if (!handle.isOpen()) {
            throw new NotOpenException();
        }
        final int result = pcap_next_ex(pcap, header, data);
        if (result != 1) {
            if (result == 0 || result == -2) {
                return null; // nothing waiting; -2: the end of a savefile
            }
            throw new IllegalStateException("pcap_next_ex failed (" + result + "): " + handle.getError());
        }
        final Pointer stamped = header.getValue();
        timestampMicros = stamped.getNativeLong(0).longValue() * 1_000_000L
                + stamped.getNativeLong(NativeLong.SIZE).longValue();
        final int captured = stamped.getInt(CAPLEN_OFFSET);
        originalLength = stamped.getInt(LEN_OFFSET);
        return data.getValue().getByteArray(0, captured);
    }

    /** The last frame's capture time, microseconds since the epoch (the handle's default precision). */
    public long timestampMicros() {
        return timestampMicros;
    }

    /** The last frame's length on the wire, before the snap length cut it. */
    public int originalLength() {
        return originalLength;
    }

    private static Pointer pcapOf(final PcapHandle handle) {
        try {
            final Field field = PcapHandle.class.getDeclaredField("handle");
            field.setAccessible(true);
            return (Pointer) field.get(handle);
        } catch (final ReflectiveOperationException | RuntimeException ex) {
            throw new IllegalStateException("this pcap4j has no pcap_t pointer where 1.8.2 keeps it: " + ex, ex);
        }
    }
}
