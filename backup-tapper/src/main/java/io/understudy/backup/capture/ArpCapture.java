package io.understudy.backup.capture;

import java.io.IOException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * The small pcap handles the ARP work needs besides the tap's own: one that sees only ARP (probe, watch), one that
 * only sends (frames for the service interface when the tap listens on another). Each names the interface and the
 * missing privilege when it cannot open, before any frame is sent.
 */
public final class ArpCapture {
    /** ARP frames are 42 bytes, padded to 60 on the wire; a little more in case of a VLAN tag. */
    private static final int ARP_SNAP_LENGTH_BYTES = 128;
    /** BPF that no frame passes ("len <= 1"): a send-only handle then buffers nothing of the interface's traffic. */
    private static final String NOTHING = "less 1";

    private ArpCapture() {}

    /**
     * A non-blocking handle on {@code interfaceName} that captures only ARP, at once (immediate mode), not
     * promiscuous (ARP that matters is broadcast or to us).
     *
     * @throws IOException when the interface does not exist, is not Ethernet, or capture is not permitted.
     */
    public static PcapHandle openArp(final String interfaceName) throws IOException {
        return open(interfaceName, "arp");
    }

    /**
     * A handle on {@code interfaceName} for sending frames only: its filter passes nothing.
     *
     * @throws IOException when the interface does not exist, is not Ethernet, or sending is not permitted.
     */
    public static PcapHandle openSendOnly(final String interfaceName) throws IOException {
        return open(interfaceName, NOTHING);
    }

    /**
     * The interface's MAC, the sender of every frame we put on it; six zero bytes for one without (loopback, whose
     * frames carry zero MACs).
     *
     * @throws IOException when there is no such interface.
     */
    public static byte[] hardwareAddress(final String interfaceName) throws IOException {
        final byte[] mac = requireInterface(interfaceName).getHardwareAddress();
        return mac == null ? new byte[6] : mac;
    }

    private static java.net.NetworkInterface requireInterface(final String interfaceName) throws IOException {
        final java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(interfaceName);
        if (nic == null) {
            throw new IOException("no network interface named '" + interfaceName + "'");
        }
        return nic;
    }

    private static PcapHandle open(final String interfaceName, final String filter) throws IOException {
        requireInterface(interfaceName);
        PcapHandle handle = null;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(ARP_SNAP_LENGTH_BYTES)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .immediateMode(true)
                    .bufferSize(1 << 16)
                    .timeoutMillis(10)
                    .build();
            if (!DataLinkType.EN10MB.equals(handle.getDlt())) {
                throw new IOException("interface '" + interfaceName + "' is not Ethernet (link type " + handle.getDlt()
                        + "): it has no ARP");
            }
            handle.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            return handle;
        } catch (final PcapNativeException | NotOpenException | IOException ex) {
            if (handle != null) {
                handle.close();
            }
            if (ex instanceof IOException io) {
                throw io;
            }
            throw new IOException(
                    "cannot open a capture on interface '" + interfaceName + "' (needs CAP_NET_RAW): "
                            + ex.getMessage(),
                    ex);
        }
    }
}
