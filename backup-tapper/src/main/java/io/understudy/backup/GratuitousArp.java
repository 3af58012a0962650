package io.understudy.backup;

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
final class GratuitousArp
{
    static final int REQUEST = ArpFrames.REQUEST;
    static final int REPLY = ArpFrames.REPLY;

    private GratuitousArp()
    {
    }

    static byte[] frame(final byte[] mac, final int address, final int operation)
    {
        return ArpFrames.frame(mac, operation, address, operation == REPLY ? ArpFrames.BROADCAST : ArpFrames.NO_MAC,
            address);
    }
}
