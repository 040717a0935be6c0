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
        // The Dockerfile's ENV, with a free port and a temporary data directory.
        Map<String, String> env = Map.of("EVALUATOR_SKIP_BUILD", "1", "EVALUATOR_PORT", "0",
                "EVALUATOR_DATA_DIR", dir.resolve("data").toString(),
                "EVALUATOR_JAVA_OPTS", "-XX:MaxRAMPercentage=75",
                "EVALUATOR_ADMIN_PASSWORD", TestServer.PASSWORD);
        int port;
        try (ServerProcess server = ServerProcess.start(List.of("bash", ROOT.resolve("evaluator").toString()), env)) {
            port = server.awaitListening();
            assertTrue(server.stdoutLines().getLast().contains("JavaScript JIT active"), server.stdoutLines().toString());

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
