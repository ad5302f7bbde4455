/**
 * Load generator for a Pentecost server ({@code pentecost-bench}): {@code connect} (connection
 * storms: {@link org.pentecost.bench.ConnectCommand}, {@link org.pentecost.bench.ConnectReport})
 * and {@code fanout} (audio from speakers to listeners: {@link org.pentecost.bench.FanoutCommand},
 * one {@link org.pentecost.bench.FanoutLoop} per event loop). Both open their listeners with a
 * {@link org.pentecost.bench.ListenerPool}: one {@link org.pentecost.bench.ListenerDriver} per
 * event loop, each owning its {@link org.pentecost.bench.ListenerConnection}s and their {@link
 * org.pentecost.bench.ListenerTally}. Both use {@link org.pentecost.bench.ServerProbe} (the server
 * process's memory and CPU) and {@link org.pentecost.bench.Report} (one JSON line, then a table).
 */
package org.pentecost.bench;
