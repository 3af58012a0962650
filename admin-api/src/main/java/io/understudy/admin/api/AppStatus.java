package io.understudy.admin.api;

/**
 * This node's app as the node watches it: its process and its health check.
 *
 * @param address       where the app listens, "address:port".
 * @param pid           the app's process, -1 while it is not found.
 * @param alive         the process is running (a stopped process is alive: the check tells a hang).
 * @param notFound      why the process is not found, null once it is.
 * @param check         the app check's type: tcp, command or none.
 * @param hung          the check failed its number of times in a row.
 * @param failuresInRow checks failed since the last one that passed.
 * @param lastCheck     what the last check found, null before the first.
 * @param failed        "crashed" or "hung" once the app failed (until it is restarted), else null.
 * @param failure       how it failed, e.g. "pid 4242 killed by signal 9 (SIGKILL)", else null.
 * @param failedAt      when it failed (ISO-8601, UTC), else null.
 */
public record AppStatus(
        String address,
        long pid,
        boolean alive,
        String notFound,
        String check,
        boolean hung,
        int failuresInRow,
        String lastCheck,
        String failed,
        String failure,
        String failedAt) {}
