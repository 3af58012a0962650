package io.understudy.admin.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Fields of /proc/PID/stat (proc(5)). The command name (field 2) is in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last ')'.
 */
final class ProcStat
{
    /** Field 3 is the first after the command name. */
    private static final int FIRST_FIELD_AFTER_NAME = 3;
    private static final int STATE_FIELD = 3;
    /** exit_code, since Linux 3.5: a wait(2) status, shown while the process is a zombie (0 to the unprivileged). */
    private static final int EXIT_CODE_FIELD = 52;
    /** No such process (any more). */
    static final char ABSENT = '?';

    private ProcStat()
    {
    }

    /** The state letter (R, S, D, Z, X, ...), or {@link #ABSENT}. */
    static char state(final long pid)
    {
        final String[] fields = fields(pid);
        return fields == null ? ABSENT : fields[STATE_FIELD - FIRST_FIELD_AFTER_NAME].charAt(0);
    }

    /** Zombie or dead: the process has exited, whether or not its parent has reaped it. */
    static boolean hasExited(final char state)
    {
        return state == ABSENT || state == 'Z' || state == 'X';
    }

    /** The wait status of a zombie; empty when the process runs, was reaped, or the kernel hides it. */
    static OptionalInt zombieWaitStatus(final long pid)
    {
        final String[] fields = fields(pid);
        final int index = EXIT_CODE_FIELD - FIRST_FIELD_AFTER_NAME;
        if (fields == null || !fields[0].equals("Z") || fields.length <= index)
        {
            return OptionalInt.empty();
        }
        try
        {
            return OptionalInt.of(Integer.parseInt(fields[index]));
        }
        catch (final NumberFormatException ex)
        {
            return OptionalInt.empty();
        }
    }

    private static String[] fields(final long pid)
    {
        final String stat;
        try
        {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        }
        catch (final IOException ex)
        {
            return null;
        }
        final int nameEnd = stat.lastIndexOf(')');
        return nameEnd < 0 ? null : stat.substring(nameEnd + 1).strip().split(" ");
    }
}
