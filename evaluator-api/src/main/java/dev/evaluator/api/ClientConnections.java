package dev.evaluator.api;

import dev.evaluator.engine.ClientPresence;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.http.ServerRequest;

/**
 * Whether a request's client is still connected, for stopping the function calls of clients that went away.
 * <p>
 * Helidon 4.3 gives a blocking handler no sign of a closed connection: nothing reads the socket while the handler
 * runs, and {@code HelidonSocket.idle()}, its one probe, gives up (and marks the socket closed) after 101 ms on
 * server sockets, which have no read timeout. So the kernel is asked instead: Linux lists every TCP socket of the
 * process's network namespace in {@code /proc/net/tcp} and {@code /proc/net/tcp6}, and a request's client is gone
 * once its connection (local and remote address and port) is no longer {@code ESTABLISHED}: the client closed it
 * ({@code CLOSE_WAIT}) or reset it (no entry). Nothing is read from the connection, so a pipelined request behind
 * this one is untouched. One read of the tables serves every waiting call for {@link #MAX_AGE_NANOS}; calls that end
 * within the first check never cause one. Where the tables do not exist (not Linux), every client counts as there.
 */
final class ClientConnections {
    private static final Logger LOG = Logger.getLogger(ClientConnections.class.getName());
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** A snapshot of the tables is reused this long. */
    static final long MAX_AGE_NANOS = 100_000_000L;
    private static final String ESTABLISHED = "01";
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private final boolean available = Files.isReadable(TABLES.getFirst());
    private Set<String> established = Set.of();
    private long readAt;
    private boolean warned;

    /**
     * The presence of a request's client.
     *
     * @param req the request
     * @return a check that turns true once the request's connection is no longer open
     */
    ClientPresence presence(ServerRequest req) {
        if (!available) {
            return ClientPresence.STAYS;
        }
        // The connection's addresses (a system call each) and key are read only if the client is ever asked for:
        // most calls end before that.
        PeerInfo local = req.localPeer();
        PeerInfo remote = req.remotePeer();
        return new ClientPresence() {
            private String connection;

            @Override
            public boolean gone() {
                if (connection == null) {
                    try {
                        connection = key(local.address(), remote.address());
                    } catch (RuntimeException e) {
                        // The socket closed as its call ended: nothing to stop.
                        return false;
                    }
                    if (connection == null) {
                        return false;
                    }
                }
                return !established().contains(connection);
            }
        };
    }

    /** The open connections, read again when the last reading is older than {@link #MAX_AGE_NANOS}. */
    private synchronized Set<String> established() {
        long now = System.nanoTime();
        if (now - readAt > MAX_AGE_NANOS) {
            established = read();
            readAt = now;
        }
        return established;
    }

    private Set<String> read() {
        Set<String> open = new HashSet<>();
        for (Path table : TABLES) {
            try (BufferedReader lines = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                lines.readLine();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    String[] fields = line.trim().split("\\s+", 5);
                    if (fields.length > 3 && fields[3].equals(ESTABLISHED)) {
                        open.add(tableAddress(fields[1]) + "|" + tableAddress(fields[2]));
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!Files.exists(table)) {
                    continue;
                }
                // Unreadable now: nobody is taken for gone on the strength of a table that could not be read.
                synchronized (this) {
                    if (!warned) {
                        warned = true;
                        LOG.log(Level.WARNING, "Cannot read " + table + " to see whether clients are still"
                                + " connected; calls of clients that went away are not stopped: " + e);
                    }
                }
                return established;
            }
        }
        return open;
    }

    /** A table's {@code ADDRESS:PORT}, the address in 32-bit words of host byte order, as one key. */
    private static String tableAddress(String field) {
        int colon = field.indexOf(':');
        byte[] words = HexFormat.of().parseHex(field, 0, colon);
        byte[] address = new byte[words.length];
        for (int word = 0; word < words.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                address[word + i] = words[word + 3 - i];
            }
        }
        return addressKey(address) + ":" + Integer.parseInt(field.substring(colon + 1), 16);
    }

    /** The key of a connection from its two ends, or null if they are not IP addresses. */
    static String key(SocketAddress local, SocketAddress remote) {
        if (local instanceof InetSocketAddress l && remote instanceof InetSocketAddress r
                && l.getAddress() != null && r.getAddress() != null) {
            return endKey(l.getAddress(), l.getPort()) + "|" + endKey(r.getAddress(), r.getPort());
        }
        return null;
    }

    private static String endKey(InetAddress address, int port) {
        return addressKey(address.getAddress()) + ":" + port;
    }

    /** An address's bytes in hex, IPv4 addresses mapped into IPv6 written as IPv4 (as Java reports them). */
    private static String addressKey(byte[] address) {
        if (address.length == 16 && Arrays.equals(address, 0, 12, V4_MAPPED_PREFIX, 0, 12)) {
            return HexFormat.of().formatHex(address, 12, 16);
        }
        return HexFormat.of().formatHex(address);
    }
}
