package org.pentecost.server.session;

/**
 * What writing back the session records of a node's live connections did, after the node found its
 * lease in Redis gone (Redis restarted empty, or the node stalled and was taken for dead).
 *
 * @param written records the store lacked and this node wrote back
 * @param present records already there (another node wrote them back first, or nothing was lost)
 * @param ended sessions that could not be written back (expired, or their code is held by another
 *     session now) and were ended for their connections on this node
 * @param failed records not checked because the store failed; tried again a third of a lease later
 */
public record RecordsRestored(int written, int present, int ended, int failed) {}
