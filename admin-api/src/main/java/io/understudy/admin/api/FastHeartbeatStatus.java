package io.understudy.admin.api;

/**
 * The fast heartbeat (node.membership.fastHeartbeat) as GET /status shows it.
 *
 * @param ageMs         ms since the peer's last accepted beat; -1 when none ever came.
 * @param silent        the peer was heard and has been silent for fastSilentMs (the backup then decides).
 * @param sent          beats sent.
 * @param accepted      the peer's beats accepted.
 * @param rejected      packets refused: not from the peer, malformed, a wrong MAC, or a replay.
 * @param realtime      "nice -10" when its threads run raised, else why not.
 * @param lastRejection why the last packet was refused; null if none was.
 */
public record FastHeartbeatStatus(
        long ageMs, boolean silent, long sent, long accepted, long rejected, String realtime, String lastRejection) {}
