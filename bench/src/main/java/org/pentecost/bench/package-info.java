/**
 * Load generator for a Pentecost server ({@code pentecost-bench}). Subcommands share {@link
 * org.pentecost.bench.CommonOptions}, {@link org.pentecost.bench.ListenerPool} (opens and holds
 * listener WebSockets), {@link org.pentecost.bench.ServerProbe} (the server process's memory and
 * CPU) and {@link org.pentecost.bench.Report} (one JSON line, then a table).
 */
package org.pentecost.bench;
