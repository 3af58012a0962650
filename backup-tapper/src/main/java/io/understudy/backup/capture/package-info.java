/**
 * What the backup hears on the LAN: the capture handle's frames (pcap4j), decoded into TCP segments for the tracker
 * with bad frames counted by reason, pcap traces read the same way, and ARP (who holds the service address). Depends
 * on {@code track} for the segment and the tracker a trace feeds; nothing here keeps connection state.
 */
package io.understudy.backup.capture;
