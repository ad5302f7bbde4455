// What the listener page exposes to tests (and the curious, in the browser's console) as
// window.pentecostListener: its figures, state and timings.

/** A fresh set of the page's figures. */
export function listenerStats() {
  return {
    framesReceived: 0,
    lastSeq: 0,
    gaps: 0,
    duplicates: 0,
    playedSeconds: 0,
    underruns: 0, // times the jitter buffer ran dry and refilled
    format: null, // the format being played: {codec, sampleRate, channels, frameMs}
    decodedFrames: 0, // frames turned into samples for the player
    audibleFrames: 0, // of those, frames whose peak is above -40 dBFS
    decodeErrors: 0,
    anomalies: [], // the last gaps and duplicates: {kind, seq, previous, flags, connectionId}
    state: "idle",
    detail: "", // what the status line says, as its i18n key (e.g. "status.speakerSilent")
    connectionId: null,
    captionsOnly: false, // joined with audio=none: no audio frames
    firstSoundMs: null, // performance.now() when the first non-zero sample left the player
    playMs: null, // performance.now() of the last Play; joinedMs: of the first sessionJoined
    joinedMs: null,
    soundStarts: [], // performance.now() of the last times sound started flowing (after a drop)
    interruptions: 0, // the context or the <audio> element stopped without the listener asking
    autoResumes: 0, // of those, resumed without a tap
    stalls: 0, // sockets that delivered nothing and were replaced
    fastReconnects: 0, // reconnects made at once on "online" or the page becoming visible
    wakeLock: false, // a screen wake lock is held
    output: null, // where the sound goes: "element" (an <audio> element, media) or "destination"
  };
}
