package dev.evaluator.store.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Real etcd members for tests: Debian's {@code etcd} binary, each member on free loopback ports with its data in a
 * directory of the test's. One member for the contract suites, three for cluster tests. {@link #close()} kills them
 * all; so does a shutdown hook when the JVM exits first, so no member outlives the test run.
 * <p>
 * Test classes get them from {@link EtcdExtension}; a test that kills members starts its own in a {@code @TempDir}.
 */
public final class EtcdMembers implements AutoCloseable {
    private static final String ETCD = "etcd";
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Path dir;
    /** Whether {@link #close()} deletes {@link #dir}: it was made for these members. */
    private boolean ownsDirectory;
    private final List<String> extraFlags;
    private final List<Member> members;
    private final String initialCluster;
    private final String token = "evaluator-test-" + UUID.randomUUID();
    private final Thread killer = new Thread(this::killAll, "etcd-members-killer");

    private EtcdMembers(Path dir, int count, List<String> extraFlags) {
        this.dir = dir;
        this.extraFlags = List.copyOf(extraFlags);
        this.members = IntStream.range(0, count).mapToObj(i -> new Member("m" + i, freePort(), freePort())).toList();
        this.initialCluster = members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Start members forming one new cluster, and wait until every one reports healthy.
     *
     * @param dir        where the members' data directories and logs go
     * @param count      how many members
     * @param extraFlags more flags for every member, such as {@code --max-request-bytes=...}
     * @return the running members
     */
    public static EtcdMembers start(Path dir, int count, String... extraFlags) {
        EtcdMembers cluster = new EtcdMembers(dir, count, List.of(extraFlags));
        try {
            for (int i = 0; i < count; i++) {
                cluster.launch(i);
            }
            for (int i = 0; i < count; i++) {
                cluster.awaitHealthy(i);
            }
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * Start members in a temporary directory of their own, deleted when they are closed.
     *
     * @param count how many members
     * @return the running members
     */
    public static EtcdMembers startInTemporaryDirectory(int count) {
        Path dir;
        try {
            dir = Files.createTempDirectory("etcd-members");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EtcdMembers members = start(dir, count);
        members.ownsDirectory = true;
        return members;
    }

    /** The client URLs of every member, running or not. */
    public List<URI> endpoints() {
        return members.stream().map(m -> URI.create(m.clientUrl())).toList();
    }

    /** The client URL of one member. */
    public URI endpoint(int member) {
        return URI.create(members.get(member).clientUrl());
    }

    /** Options for a store on these members under a prefix, with short timeouts for tests of failures. */
    public EtcdOptions options(String prefix) {
        return EtcdOptions.create(endpoints()).withPrefix(prefix)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    /** Kill one member at once ({@code kill -9}): as a crash, or a machine gone. */
    public void kill(int member) {
        Process process = members.get(member).process;
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            members.get(member).process = null;
        }
    }

    /** Start a killed member again on its data directory and ports, and wait until it is healthy. */
    public void restart(int member) {
        launch(member);
        awaitHealthy(member);
    }

    /** Start a killed member again without waiting (it cannot be healthy alone while the others are down). */
    public void launch(int member) {
        Member m = members.get(member);
        Path data = dir.resolve(m.name);
        List<String> command = new ArrayList<>(List.of(ETCD,
                "--name", m.name,
                "--data-dir", data.toString(),
                "--listen-client-urls", m.clientUrl(),
                "--advertise-client-urls", m.clientUrl(),
                "--listen-peer-urls", m.peerUrl(),
                "--initial-advertise-peer-urls", m.peerUrl(),
                "--initial-cluster", initialCluster,
                "--initial-cluster-token", token,
                "--initial-cluster-state", "new",
                "--logger", "zap",
                "--log-level", "warn"));
        command.addAll(extraFlags);
        try {
            Files.createDirectories(dir);
            m.process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(m.name + ".log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start etcd (" + e.getMessage() + "): install Debian's"
                    + " etcd-server package (.ci/run does)", e);
        }
    }

    /** Wait until a member answers its health check with {@code "health":"true"}. */
    public void awaitHealthy(int member) {
        Member m = members.get(member);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() < deadline) {
                if (m.process == null || !m.process.isAlive()) {
                    throw new IllegalStateException("etcd member " + m.name + " exited; see " + log(member));
                }
                try {
                    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(m.clientUrl()
                            + "/health")).timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                    if (health.statusCode() == 200 && health.body().contains("\"health\":\"true\"")) {
                        return;
                    }
                } catch (IOException e) {
                    // Not listening yet.
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for etcd", e);
        }
        throw new IllegalStateException("etcd member " + m.name + " was not healthy within " + STARTUP + "; see "
                + log(member));
    }

    public Path log(int member) {
        return dir.resolve(members.get(member).name + ".log");
    }

    @Override
    public void close() {
        killAll();
        if (ownsDirectory) {
            delete(dir);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // The JVM is shutting down: the hook runs (or ran) anyway.
        }
    }

    /** Delete a directory and everything in it. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void killAll() {
        for (int i = 0; i < members.size(); i++) {
            kill(i);
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One member: its name, ports, and process while it runs. */
    private static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        volatile Process process;

        Member(String name, int clientPort, int peerPort) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
        }

        String clientUrl() {
            return "http://127.0.0.1:" + clientPort;
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }
    }
}
