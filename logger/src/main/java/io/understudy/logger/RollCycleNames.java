package io.understudy.logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/** Turns a roll cycle's name in the config into Chronicle's {@link RollCycle}, listing the valid names if wrong. */
final class RollCycleNames {
    private static final List<RollCycle> ALL = allRollCycles();

    private RollCycleNames() {}

    /** Every name Chronicle Queue offers, in its order (FIVE_MINUTELY ... WEEKLY, HOURLY, DAILY, TEST_*...). */
    static List<String> names() {
        final List<String> names = new ArrayList<>();
        for (final RollCycle rollCycle : ALL) {
            names.add(nameOf(rollCycle));
        }
        return names;
    }

    static RollCycle resolve(final String name) {
        for (final RollCycle rollCycle : ALL) {
            if (nameOf(rollCycle).equals(name)) {
                return rollCycle;
            }
        }
        throw new UnderstudyException("rollCycle=" + name + " unknown, expected one of " + names());
    }

    static String nameOf(final RollCycle rollCycle) {
        return rollCycle instanceof Enum<?> constant ? constant.name() : rollCycle.toString();
    }

    private static List<RollCycle> allRollCycles() {
        final List<RollCycle> all = new ArrayList<>();
        RollCycles.all().forEach(all::add);
        return Collections.unmodifiableList(all);
    }
}
