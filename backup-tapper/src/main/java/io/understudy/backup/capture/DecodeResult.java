package io.understudy.backup.capture;

/**
 * What the frame decoder made of one captured frame: a TCP segment, or the reason it was skipped.
 */
public enum DecodeResult {
    /** A well-formed IPv4 TCP segment. */
    TCP,
    /** The capture's link type is not one the decoder reads (Ethernet, Linux cooked v1/v2, raw IP). */
    UNSUPPORTED_LINK,
    /** Not IPv4 (ARP, IPv6, ...). */
    NOT_IPV4,
    /** IPv4 but not TCP. */
    NOT_TCP,
    /** An IPv4 fragment: the tap does not reassemble IP fragments. */
    FRAGMENT,
    /** The frame was cut by the capture's snap length: its payload is incomplete. */
    TRUNCATED,
    /** Lengths or header fields that cannot be right. */
    MALFORMED,
    /** The IPv4 header checksum is wrong. */
    BAD_IP_CHECKSUM,
    /** The TCP checksum is wrong. */
    BAD_TCP_CHECKSUM
}
