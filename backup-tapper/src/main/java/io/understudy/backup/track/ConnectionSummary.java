package io.understudy.backup.track;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one connection as the trace command prints it: one JSON object, fields in a fixed order.
 * Sequence and ack numbers are raw unsigned 32-bit values; fields the capture cannot tell are null, and the ISNs and
 * options are null unless the whole handshake (the client's SYN and the server's SYN-ACK) was seen.
 */
public record ConnectionSummary(Map<String, Object> fields) {
    public ConnectionSummary {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public static ConnectionSummary of(final TrackedConnection connection) {
        final StreamDirection client = connection.client;
        final StreamDirection server = connection.server;
        final boolean handshake = connection.handshakeSeen();
        final boolean scaling = connection.windowScalingNegotiated();
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("client", connection.key.client());
        fields.put("server", connection.key.server());
        fields.put("handshake_seen", handshake);
        fields.put("state", connection.state.name());
        fields.put("client_isn", handshake ? Integer.toUnsignedLong(client.isn) : null);
        fields.put("server_isn", handshake ? Integer.toUnsignedLong(server.isn) : null);
        fields.put("client_next_seq", client.based ? Integer.toUnsignedLong(client.nextSequence()) : null);
        fields.put("server_next_seq", server.based ? Integer.toUnsignedLong(server.nextSequence()) : null);
        fields.put("client_bytes", client.nextOffset);
        fields.put("server_bytes", server.nextOffset);
        fields.put("client_fin", client.finSeen);
        fields.put("server_fin", server.finSeen);
        fields.put("client_acked", client.ackSent ? Integer.toUnsignedLong(client.lastAck) : null);
        fields.put("server_acked", server.ackSent ? Integer.toUnsignedLong(server.lastAck) : null);
        fields.put("mss", handshake && client.mss >= 0 ? client.mss : null);
        fields.put("client_wscale", scaling ? client.windowScale : null);
        fields.put("server_wscale", scaling ? server.windowScale : null);
        fields.put("sack_permitted", handshake ? connection.sackPermitted() : null);
        fields.put("timestamps", handshake ? connection.timestampsNegotiated() : null);
        return new ConnectionSummary(fields);
    }
}
