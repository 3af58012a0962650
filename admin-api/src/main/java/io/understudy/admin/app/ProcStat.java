package io.understudy.admin.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Fields of /proc/PID/stat (proc(5)). The command name (field 2) is in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last ')'.
 */
final class ProcStat {
    /** Field 3 is the first after the command name. */
    private static final int FIRST_FIELD_AFTER_NAME = 3;

    private static final int STATE_FIELD = 3;
    /** exit_code, since Linux 3.5: a wait(2) status, shown while the process is a zombie (0 to the unprivileged). */
    private static final int EXIT_CODE_FIELD = 52;
    /** No such process (any more). */
    static final char ABSENT = '?';

    private ProcStat() {}

    /** The state letter (R, S, D, Z, X, ...), or {@link #ABSENT}. */
    static char state(final long pid) {
        final String[] fields = fields(pid);
        return fields == null ? ABSENT : fields[STATE_FIELD - FIRST_FIELD_AFTER_NAME].charAt(0);
    }

    /** Zombie or dead: the process has exited, whether or not its parent has reaped it. */
    static boolean hasExited(final char state) {
        return state == ABSENT || state == 'Z' || state == 'X';
    }

    /** Field 9, the kernel's flags of the task; PF_EXITING is set when do_exit starts, before its files close. */
    private static final int FLAGS_FIELD = 9;

    private static final long PF_EXITING = 0x4;
    /** SIGKILL's bit in the pending-signal masks of /proc/PID/status. */
    private static final long SIGKILL_BIT = 1L << 8;

    /**
     * Whether the process is on its way out: a pending SIGKILL, or any of its threads exiting (PF_EXITING) or gone
     * (zombie). Its sockets may already be closed while its pidfd does not yet say it exited: on a loaded host the
     * dying thread can be preempted for tens of milliseconds between the two.
     */
    static boolean isDying(final long pid) {
        if (sigkillPending(pid)) {
            return true;
        }
        final java.io.File[] tasks = new java.io.File("/proc/" + pid + "/task").listFiles();
        if (tasks == null) {
            return hasExited(state(pid));
        }
        for (final java.io.File task : tasks) {
            final String[] fields = fields(Path.of(task.getPath(), "stat"));
            if (fields == null) {
                continue; // that thread is gone already
            }
            final char taskState = fields[STATE_FIELD - FIRST_FIELD_AFTER_NAME].charAt(0);
            if (hasExited(taskState) || (parseLong(fields[FLAGS_FIELD - FIRST_FIELD_AFTER_NAME]) & PF_EXITING) != 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean sigkillPending(final long pid) {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if ((line.startsWith("ShdPnd:") || line.startsWith("SigPnd:"))
                        && (Long.parseUnsignedLong(line.substring(7).strip(), 16) & SIGKILL_BIT) != 0) {
                    return true;
                }
            }
            return false;
        } catch (final IOException | RuntimeException ex) {
            return false;
        }
    }

    private static long parseLong(final String field) {
        try {
            return Long.parseLong(field);
        } catch (final NumberFormatException ex) {
            return 0;
        }
    }

    /** The wait status of a zombie; empty when the process runs, was reaped, or the kernel hides it. */
    static OptionalInt zombieWaitStatus(final long pid) {
        final String[] fields = fields(pid);
        final int index = EXIT_CODE_FIELD - FIRST_FIELD_AFTER_NAME;
        if (fields == null || !fields[0].equals("Z") || fields.length <= index) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(fields[index]));
        } catch (final NumberFormatException ex) {
            return OptionalInt.empty();
        }
    }

    private static String[] fields(final long pid) {
        return fields(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static String[] fields(final Path statFile) {
        final String stat;
        try {
            stat = Files.readString(statFile);
        } catch (final IOException ex) {
            return null;
        }
        final int nameEnd = stat.lastIndexOf(')');
        return nameEnd < 0 ? null : stat.substring(nameEnd + 1).strip().split(" ");
    }
}
