package io.understudy.admin.app;

/**
 * How the app process ended, as the node saw it: what its supervisor would read with wait(2), when this node could
 * read it too.
 *
 * @param pid         the app's pid.
 * @param exitStatus  its exit status (0-255) when it exited, -1 when it was killed or the status is unknown.
 * @param signal      the signal that killed it, 0 when it exited or the cause is unknown.
 * @param description one line for logs and the API, e.g. "pid 1234 killed by signal 9 (SIGKILL)".
 */
public record AppExit(long pid, int exitStatus, int signal, String description) {
    private static final int SIGNAL_MASK = 0x7f;
    private static final int CORE_DUMP_FLAG = 0x80;
    private static final int STOPPED = 0x7f;
    /** Signal numbers as on x86_64 and aarch64 Linux (asm-generic/signal.h). */
    private static final String[] SIGNAL_NAMES = {
        null,
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS"
    };

    /** Decodes a wait(2)-style status as WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG and WCOREDUMP do. */
    public static AppExit fromWaitStatus(final long pid, final int waitStatus) {
        final int signal = waitStatus & SIGNAL_MASK;
        if (signal == 0) {
            final int status = (waitStatus >>> 8) & 0xff;
            return new AppExit(pid, status, 0, "pid " + pid + " exited with status " + status);
        }
        if (signal == STOPPED) {
            return new AppExit(
                    pid,
                    -1,
                    0,
                    "pid " + pid + " ended with wait status 0x" + Integer.toHexString(waitStatus) + " (not an exit)");
        }
        final String core = (waitStatus & CORE_DUMP_FLAG) != 0 ? " (core dumped)" : "";
        return new AppExit(pid, -1, signal, "pid " + pid + " killed by signal " + signalName(signal) + core);
    }

    /** The process is gone but neither the kernel nor /proc told this node how it ended. */
    static AppExit unknown(final long pid) {
        return new AppExit(pid, -1, 0, "pid " + pid + " ended (its exit status is not visible to this node)");
    }

    /** "9 (SIGKILL)" for the common signals, the bare number otherwise. */
    static String signalName(final int signal) {
        return signal > 0 && signal < SIGNAL_NAMES.length
                ? signal + " (" + SIGNAL_NAMES[signal] + ")"
                : String.valueOf(signal);
    }
}
