package io.understudy.backup.takeover;

import java.util.List;
import java.util.Map;

/**
 * What a takeover did with each open connection.
 *
 * @param restored     connections restored with their exact sequence numbers, ready to relay.
 * @param notRestored  connections left to be reset (the takeover sends their clients a RST), with the reason.
 * @param restoreMs    time from the start of the takeover until every socket was restored.
 */
public record TakeoverReport(List<RestoredConnection> restored, Map<String, String> notRestored, long restoreMs) {
    public TakeoverReport {
        restored = List.copyOf(restored);
        notRestored = Map.copyOf(notRestored);
    }
}
