// The listener's diagnostics panel: frames, time played, the jitter buffer, losses, the format
// and the connection, from the page's stats and the player.

const $ = (id) => document.getElementById(id);

/** Shows the listener's stats and the player's (null when not playing). */
export function showDiagnostics(stats, player) {
  $("d-frames").textContent = `${stats.framesReceived} frames (last #${stats.lastSeq})`;
  $("d-played").textContent = `${stats.playedSeconds.toFixed(1)} s`;
  $("d-buffer").textContent = player
    ? `${Math.round(player.stats.bufferedMs)} ms${player.stats.buffering ? " (filling)" : ""}, ${player.stats.underruns} underruns`
    : "–";
  $("d-gaps").textContent = `${stats.gaps} gaps, ${stats.duplicates} duplicates`;
  $("d-format").textContent = describeFormat(stats.format, stats.decodeErrors);
  $("d-conn").textContent = stats.connectionId || "–";
}

function describeFormat(format, decodeErrors) {
  if (!format) return "–";
  const name = format.codec === "pcm16" ? "PCM" : format.codec === "opus" ? "Opus" : format.codec;
  const channels = (format.channels || 1) === 1 ? "mono" : `${format.channels} channels`;
  const errors = decodeErrors ? `, ${decodeErrors} decoding errors` : "";
  return `${name}, ${(format.sampleRate || 0) / 1000} kHz ${channels}${errors}`;
}
