package dev.evaluator.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Docker image's start-up, outside Docker: {@code ./evaluator} with the image's environment starts the packaged
 * server with the JIT, the image's health check passes against it, and SIGTERM to the process the script became stops
 * it cleanly. And the Dockerfile only copies what the repository and the build provide.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path HEALTHCHECK = ROOT.resolve("docker/healthcheck.sh");

    @TempDir
    Path dir;

    @Test
    void imageStartScript_startsWithTheJitPassesTheHealthCheckAndStopsCleanly() throws Exception {
        // The Dockerfile's ENV, with a free port and a temporary data directory (and temporary files apart).
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Map<String, String> env = Map.of("EVALUATOR_SKIP_BUILD", "1", "EVALUATOR_PORT", "0",
                "EVALUATOR_DATA_DIR", dir.resolve("data").toString(),
                "EVALUATOR_JAVA_OPTS", "-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=" + tmp,
                "EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD);
        int port;
        try (ServerProcess server = ServerProcess.start(List.of("bash", ROOT.resolve("evaluator").toString()), env)) {
            port = server.awaitListening();
            assertTrue(server.stdoutLines().getLast().contains("JavaScript JIT active"), server.stdoutLines().toString());
            // RocksDB's native library is loaded from beside its jar, not extracted into a temporary file again.
            try (var files = Files.list(tmp)) {
                List<String> extracted = files.map(file -> file.getFileName().toString())
                        .filter(name -> name.startsWith("librocksdbjni")).toList();
                assertEquals(List.of(), extracted);
            }

            Result up = healthcheck(port);
            assertEquals(0, up.exit(), up.output());

            // The script exec'd java: the process it started is the JVM, and takes the signal itself.
            assertEquals(143, server.terminate(), server.stderr());
            assertTrue(server.stdoutToTheEnd().getLast().endsWith("store flushed and closed cleanly"));
        }
        Result down = healthcheck(port);
        assertEquals(1, down.exit(), down.output());
        assertTrue(down.output().contains("nothing listens on 127.0.0.1:" + port), down.output());
    }

    @Test
    void healthcheck_serverNotReady_fails() throws Exception {
        try (TestServer server = TestServer.start(dir.resolve("data"))) {
            assertEquals(0, healthcheck(server.port()).exit());
            server.evaluator().store().close();

            Result notReady = healthcheck(server.port());

            assertEquals(1, notReady.exit(), notReady.output());
            assertTrue(notReady.output().contains("not ready: HTTP/1.1 503"), notReady.output());
        }
    }

    @Test
    void dockerfile_copiesOnlyWhatTheRepositoryAndTheBuildProvide() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"), StandardCharsets.UTF_8);
        Matcher copy = Pattern.compile("(?m)^COPY (--from=build )?(\\S+) ").matcher(dockerfile);
        List<String> checked = new ArrayList<>();
        while (copy.find()) {
            // The build stage works in /src, a copy of the repository root; its outputs are in this build's target.
            Path source = copy.group(1) == null ? ROOT.resolve(copy.group(2))
                    : ROOT.resolve(copy.group(2).replaceFirst("^/src/", ""));
            assertTrue(Files.exists(source), "COPY " + copy.group(2) + ": " + source + " does not exist");
            checked.add(copy.group(2));
        }
        assertTrue(checked.contains("/src/evaluator-api/target/jvmci"), checked.toString());
        for (String script : List.of("evaluator", "docker/healthcheck.sh", "scripts/jdk25.sh", "scripts/jvm-defaults.sh")) {
            assertTrue(dockerfile.contains(script), script);
        }
        assertTrue(Files.isExecutable(ROOT.resolve("evaluator")));
        assertTrue(Files.isExecutable(HEALTHCHECK));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/app/evaluator\"]"));
        assertTrue(dockerfile.contains("CMD [\"/app/docker/healthcheck.sh\"]"));
    }

    /**
     * {@code docker/compose.cluster.yaml} cannot be run in CI (no Docker engine; {@code docker/cluster-smoke.sh}
     * checks a running one by hand): its evaluator settings must parse as the server parses them, naming the three etcd members with a request limit matching theirs, and what it mounts
     * must exist, with nginx sending to the compose file's evaluator services.
     */
    @Test
    void clusterCompose_settingsParse_mountsExist_proxyNamesTheNodes() throws IOException {
        String compose = Files.readString(ROOT.resolve("docker/compose.cluster.yaml"), StandardCharsets.UTF_8);
        Map<String, String> env = new java.util.HashMap<>();
        Matcher setting = Pattern.compile("(?m)^\\s+(EVALUATOR_[A-Z_]+): (\\S+)$").matcher(compose);
        while (setting.find()) {
            env.put(setting.group(1), setting.group(2).replace("\"", ""));
        }
        assertTrue(env.containsKey("EVALUATOR_STORE") && env.containsKey("EVALUATOR_NODE_NAME"), env.toString());
        ServerSettings settings = ServerSettings.parse(new String[0], env);
        assertEquals(List.of("http://etcd-1:2379", "http://etcd-2:2379", "http://etcd-3:2379"),
                settings.etcd().orElseThrow().endpoints().stream().map(Object::toString).toList());
        Matcher etcdLimit = Pattern.compile("ETCD_MAX_REQUEST_BYTES: \"(\\d+)\"").matcher(compose);
        assertTrue(etcdLimit.find());
        assertEquals(Integer.parseInt(etcdLimit.group(1)), settings.etcd().get().maxRequestBytes(),
                "the nodes know the members' request limit");
        assertTrue(2L * settings.maxLibraryBytes() < settings.etcd().get().maxRequestBytes(),
                "a library of --max-library-bytes fits with its version");

        Matcher mount = Pattern.compile("- \\./(\\S+?):/").matcher(compose);
        List<String> mounted = new ArrayList<>();
        while (mount.find()) {
            assertTrue(Files.exists(ROOT.resolve("docker").resolve(mount.group(1))), mount.group(1));
            mounted.add(mount.group(1));
        }
        assertTrue(mounted.contains("nginx.cluster.conf"), mounted.toString());
        String nginx = Files.readString(ROOT.resolve("docker/nginx.cluster.conf"), StandardCharsets.UTF_8);
        for (String node : List.of("evaluator-1", "evaluator-2")) {
            assertTrue(compose.contains("\n  " + node + ":\n"), node + " is a service");
            assertTrue(nginx.contains("server " + node + ":8093"), node + " is behind the proxy");
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result healthcheck(int port) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", HEALTHCHECK.toString()).redirectErrorStream(true);
        builder.environment().put("EVALUATOR_PORT", String.valueOf(port));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the health check hangs");
        return new Result(process.exitValue(), output);
    }
}
