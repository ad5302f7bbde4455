// The listener's check of frame numbers: per language, the last frame accepted and the connection
// that delivered it. Frames already accepted are dropped; gaps and duplicates that nothing explains
// (a replay, the overlap of a refresh, a discontinuity) are counted and kept as anomalies.
import { FLAG_REPLAY } from "./protocol.js";

export class SequenceCheck {
  /** stats: lastSeq, gaps, duplicates and anomalies are kept there. */
  constructor(stats) {
    this.stats = stats;
    this.lastSeqs = new Map(); // language -> last sequence number accepted
    this.lastFrom = new Map(); // language -> the connection that delivered that frame
    this.resumedAfter = 0; // the lastSeq that the latest refresh or reconnect resumed after
  }

  /** The query that resumes a new connection after the last frame received (kept in the buffer). */
  resumeQuery() {
    this.resumedAfter = this.stats.lastSeq;
    return this.stats.lastSeq > 0 ? { lastSeq: this.stats.lastSeq } : {};
  }

  /** A new publisher numbers its stream afresh. */
  restart(language) {
    this.lastSeqs.delete(language);
  }

  /**
   * Whether the frame is new and to be played. discontinuity: frames skipped on purpose, or another
   * language's stream: what this language published meanwhile is not a loss.
   */
  accept(frame, connectionId, discontinuity) {
    const replay = (frame.flags & FLAG_REPLAY) !== 0;
    const previous = this.lastSeqs.get(frame.language);
    if (previous !== undefined && !discontinuity) {
      if (frame.seq <= previous) {
        // Expected after a refresh: frames replayed from the window, and frames published while
        // both connections were open, which the old one delivered before the new one took over.
        // Anything else is not.
        const overlap = connectionId !== this.lastFrom.get(frame.language) && frame.seq > this.resumedAfter;
        if (!replay && !overlap) {
          this.stats.duplicates++;
          this.anomaly("duplicate", frame, previous, connectionId);
        }
        return false;
      }
      if (frame.seq > previous + 1 && !replay) {
        this.stats.gaps++;
        this.anomaly("gap", frame, previous, connectionId);
      }
    }
    this.lastSeqs.set(frame.language, frame.seq);
    this.lastFrom.set(frame.language, connectionId);
    this.stats.lastSeq = frame.seq;
    return true;
  }

  anomaly(kind, frame, previous, connectionId) {
    const anomalies = this.stats.anomalies;
    anomalies.push({ kind, seq: frame.seq, previous, flags: frame.flags, connectionId });
    if (anomalies.length > 20) anomalies.shift();
  }
}
