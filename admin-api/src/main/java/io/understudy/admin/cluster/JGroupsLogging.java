package io.understudy.admin.cluster;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * JGroups logs through SLF4J by itself (its LogFactory picks SLF4J when log4j2-core is absent, as in this module),
 * and says several things at INFO on every start. This keeps the "org.jgroups" logger at WARN unless the logging
 * config names it, so suspicions and view changes come from {@link Membership}'s own lines, with the node id.
 */
final class JGroupsLogging {
    static final String JGROUPS_LOGGER = "org.jgroups";

    private JGroupsLogging() {}

    /** Sets "org.jgroups" to WARN when it has no level of its own; leaves a configured level alone. */
    static void quietUnlessConfigured() {
        if (LoggerFactory.getLogger(JGROUPS_LOGGER) instanceof Logger logger && logger.getLevel() == null) {
            logger.setLevel(Level.WARN);
        }
    }
}
