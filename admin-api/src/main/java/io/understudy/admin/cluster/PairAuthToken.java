package io.understudy.admin.cluster;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.security.MessageDigest;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.Util;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AUTH's token for the pair: HMAC-SHA256, under a key derived from the pair's secret, of the sender's own JGroups
 * address. It proves the secret without sending it, and a token copied off the wire is worth nothing to another
 * address. Public with a public no-argument constructor only because JGroups reads received tokens by reflection.
 */
public final class PairAuthToken extends AuthToken {
    private static final Logger LOG = LoggerFactory.getLogger(PairAuthToken.class);
    private static final int MAC_BYTES = 32;

    private final String nodeId;
    private final byte[] authenticationKey;
    private byte[] mac = new byte[MAC_BYTES];

    /** A token to read a received one into (JGroups calls this); it can authenticate nobody. */
    public PairAuthToken() {
        this.nodeId = "";
        this.authenticationKey = null;
    }

    PairAuthToken(final String nodeId, final byte[] authenticationKey) {
        this.nodeId = nodeId;
        this.authenticationKey = authenticationKey.clone();
    }

    @Override
    public String getName() {
        return PairAuthToken.class.getName();
    }

    @Override
    public int size() {
        return MAC_BYTES;
    }

    /** True when the joiner's (or coordinator's) token is the MAC of its own address under our key. */
    @Override
    public boolean authenticate(final AuthToken token, final Message msg) {
        if (authenticationKey == null || !(token instanceof PairAuthToken received) || msg.getSrc() == null) {
            return false;
        }
        final boolean valid = MessageDigest.isEqual(macOf(msg.getSrc()), received.value());
        if (!valid) {
            LOG.error(
                    "[{}] {} failed authentication: its AUTH token does not prove the pair's secret; refused",
                    nodeId,
                    msg.getSrc());
        }
        return valid;
    }

    /** Writes the MAC of this node's own address (the token goes out with a join or merge message). */
    @Override
    public void writeTo(final DataOutput out) throws IOException {
        out.write(value());
    }

    @Override
    public void readFrom(final DataInput in) throws IOException {
        in.readFully(mac);
    }

    @Override
    public String toString() {
        return "PairAuthToken";
    }

    /**
     * The MAC this token carries: read off the wire for a received token; for our own, the MAC of our address,
     * computed here because a message this node sends itself (a merge it leads) arrives unserialised.
     */
    private byte[] value() {
        if (authenticationKey == null) {
            return mac;
        }
        final Address self = auth == null ? null : auth.getAddress();
        return self == null ? new byte[MAC_BYTES] : macOf(self);
    }

    private byte[] macOf(final Address address) {
        try {
            return MembershipKeys.mac(authenticationKey, Util.streamableToByteBuffer(address));
        } catch (final IOException ex) {
            throw new IllegalStateException("nodeId=" + nodeId + ", cannot serialise address " + address, ex);
        }
    }
}
