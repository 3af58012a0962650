package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * The {@code node.tap:} section: where and how the backup captures the service's traffic.
 */
public final class TapSettings {
    /** The LAN interface that sees client-primary traffic (hub, bridge, or a switch's mirror port). */
    @NotBlank
    @JsonProperty("interface")
    private String interfaceName = "eth0";

    /**
     * Bytes captured per frame: must hold the largest frame on the LAN (MTU + 14; a cut frame is counted as
     * TRUNCATED and its connection damaged). libpcap's ring holds bufferBytes / snapLengthBytes frames, so a
     * needlessly large value makes the ring short and frames get dropped under load.
     */
    @Min(1514)
    @Max(262144)
    @JsonProperty
    private int snapLengthBytes = 2048;

    /** The kernel ring for captured frames: with 2048-byte slots, 128 MiB hold 64K frames (seconds of a busy LAN). */
    @Min(65536)
    @JsonProperty
    private int bufferBytes = 128 * 1024 * 1024;

    /** Bytes of one stream kept for takeover at most; a stream over it makes its connection unprotectable. */
    @Min(0)
    @JsonProperty
    private int streamCapBytes = 16 * 1024 * 1024;

    /** Bytes kept over all streams at most. */
    @Min(0)
    @JsonProperty
    private long globalCapBytes = 512L * 1024 * 1024;

    @Min(1)
    @JsonProperty
    private int maxConnections = 65536;

    public String getInterfaceName() {
        return interfaceName;
    }

    public int getSnapLengthBytes() {
        return snapLengthBytes;
    }

    public int getBufferBytes() {
        return bufferBytes;
    }

    public int getStreamCapBytes() {
        return streamCapBytes;
    }

    public long getGlobalCapBytes() {
        return globalCapBytes;
    }

    public int getMaxConnections() {
        return maxConnections;
    }
}
