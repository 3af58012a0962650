package io.understudy.backup.takeover;

import io.understudy.backup.capture.ArpCapture;
import io.understudy.backup.capture.ArpFrames;
import io.understudy.backup.capture.Ipv4;
import java.io.IOException;

/**
 * A gratuitous ARP frame announcing that an IPv4 address is now at this host's MAC, so the LAN's caches move the
 * service address here at once.
 *
 * <pre>
 * +----------------+---------------+--------+ ARP: htype 1, ptype 0x0800, hlen 6, plen 4, op
 * | dst ff..ff (6) | src  mac  (6) | 0x0806 | sender mac, sender ip = ip, target mac 0 (request) or
 * +----------------+---------------+--------+ broadcast (reply), target ip = ip
 * </pre>
 */
public final class GratuitousArp {
    public static final int REQUEST = ArpFrames.REQUEST;
    public static final int REPLY = ArpFrames.REPLY;

    private GratuitousArp() {}

    public static byte[] frame(final byte[] mac, final int address, final int operation) {
        return ArpFrames.frame(
                mac, operation, address, operation == REPLY ? ArpFrames.BROADCAST : ArpFrames.NO_MAC, address);
    }

    /**
     * Announces {@code address} at {@code interfaceName}'s MAC: three gratuitous ARP requests and replies, so every
     * cache on the LAN points at this host (a primary that was just yielded to sends it to undo what the old holder's
     * ARP traffic taught the clients).
     *
     * @throws IOException naming the interface when it does not exist or cannot be opened (needs CAP_NET_RAW).
     */
    public static void announce(final String interfaceName, final String address) throws IOException {
        final byte[] mac = ArpCapture.hardwareAddress(interfaceName);
        final int ip = Ipv4.ipv4(address);
        final org.pcap4j.core.PcapHandle handle = ArpCapture.openSendOnly(interfaceName);
        try {
            for (int i = 0; i < 3; i++) {
                handle.sendPacket(frame(mac, ip, REQUEST));
                handle.sendPacket(frame(mac, ip, REPLY));
            }
        } catch (final org.pcap4j.core.PcapNativeException | org.pcap4j.core.NotOpenException ex) {
            throw new IOException(
                    "gratuitous ARP for " + address + " on " + interfaceName + " failed: " + ex.getMessage(), ex);
        } finally {
            handle.close();
        }
    }
}
