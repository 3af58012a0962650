package io.understudy.backup.takeover;

import java.io.IOException;

/**
 * What the caller does in the middle of a takeover, once every client socket is rebuilt but before any of them
 * speaks: claim the service address and open the listener for new clients. (Linux lets a listener share the
 * restored sockets' address and port only while they are still in repair mode.)
 */
@FunctionalInterface
public interface TakeoverStep {
    void run() throws IOException, InterruptedException;
}
