package io.understudy.backup;

import java.nio.ByteBuffer;

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
    static final int REQUEST = 1;
    static final int REPLY = 2;

    private GratuitousArp()
    {
    }

    static byte[] frame(final byte[] mac, final int address, final int operation)
    {
        final ByteBuffer frame = ByteBuffer.allocate(42);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(mac).putShort((short)0x0806);
        frame.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)operation);
        frame.put(mac).putInt(address);
        frame.put(operation == REPLY ? new byte[] {-1, -1, -1, -1, -1, -1} : new byte[6]).putInt(address);
        return frame.array();
    }
}
