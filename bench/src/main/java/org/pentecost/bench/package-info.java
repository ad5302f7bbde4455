/**
 * Load generator for a Pentecost server ({@code pentecost-bench}): {@code connect} (connection
 * storms, with {@link org.pentecost.bench.CommonOptions} and {@link
 * org.pentecost.bench.ListenerPool}) and {@code fanout} (audio from speakers to listeners, one
 * {@link org.pentecost.bench.FanoutLoop} per event loop). Both use {@link
 * org.pentecost.bench.ServerProbe} (the server process's memory and CPU) and {@link
 * org.pentecost.bench.Report} (one JSON line, then a table).
 */
package org.pentecost.bench;
