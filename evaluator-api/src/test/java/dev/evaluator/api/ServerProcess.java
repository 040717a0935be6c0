package dev.evaluator.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code target/evaluator.jar}) run as a separate process, the way the launch script runs it,
 * so tests can kill it with SIGKILL and read what it prints.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");

    private final Process process;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final List<String> stdoutSeen = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private ServerProcess(Process process) {
        this.process = process;
        this.stdoutReader = Thread.ofPlatform().daemon()
                .start(() -> pump(process.inputReader(StandardCharsets.UTF_8), stdout));
        this.stderrReader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = process.errorReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        });
    }

    /**
     * Start the server.
     *
     * @param env  environment variables to set (all other {@code EVALUATOR_*} variables are removed)
     * @param args server flags
     */
    static ServerProcess start(Map<String, String> env, String... args) throws IOException {
        return start(List.of(), env, args);
    }

    /**
     * Start the server with more JVM options (a smaller heap, say).
     *
     * @param jvmOptions options for the JVM, before {@code -jar}
     * @param env        environment variables to set (all other {@code EVALUATOR_*} variables are removed)
     * @param args       server flags
     */
    static ServerProcess start(List<String> jvmOptions, Map<String, String> env, String... args) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI",
                "--upgrade-module-path=" + target.resolve("jvmci"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", target.resolve("evaluator.jar").toString()));
        command.addAll(List.of(args));
        return start(command, env);
    }

    /**
     * Run a command that starts the server (a launch script), with the same environment handling as
     * {@link #start(Map, String...)}.
     */
    static ServerProcess start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("EVALUATOR_"));
        builder.environment().putAll(env);
        return new ServerProcess(builder.start());
    }

    /** Wait for the start-up line and return the port it names. */
    int awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String line = stdout.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                stdoutSeen.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            } else if (!process.isAlive() && stdout.isEmpty()) {
                throw new IllegalStateException("Server exited with " + process.exitValue() + ": " + stderr());
            }
        }
        throw new IllegalStateException("Server did not start: " + stdoutSeen + " " + stderr());
    }

    /** The lines printed on standard output so far (up to the start-up line once it was awaited). */
    List<String> stdoutLines() {
        return List.copyOf(stdoutSeen);
    }

    /** Wait for the process to end by itself and return its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Server did not exit");
        }
        stderrReader.join(5000);
        return process.exitValue();
    }

    /** SIGTERM, as docker stop and Kubernetes send it; waits for the process to end and returns its exit code. */
    int terminate() throws InterruptedException {
        // Through the handle: Process.destroy() would also close the pipes, losing what the server prints as it stops.
        process.toHandle().destroy();
        return awaitExit();
    }

    /** Once the process has ended: every line it printed on standard output. */
    List<String> stdoutToTheEnd() throws InterruptedException {
        stdoutReader.join(5000);
        stdout.drainTo(stdoutSeen);
        return List.copyOf(stdoutSeen);
    }

    /** Wait until standard error holds a text (it is read on another thread); false after 10 s without it. */
    boolean awaitStderr(String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(BufferedReader reader, BlockingQueue<String> lines) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException ignored) {
            // The process ended.
        }
    }
}
