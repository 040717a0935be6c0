package dev.evaluator.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

import dev.evaluator.store.rocksdb.RocksDbStore;

/**
 * How many connections the web server may hold open, so that accepting one can never fail for want of a file
 * descriptor: the web server's listener treats a failed accept as fatal and stops listening for good (Helidon 4.3),
 * which leaves a process that is up but refuses everyone. The cap is the configured one, lowered to what the
 * process's descriptor limit leaves after what it holds at start (its jars, the store) and a reserve for the store's
 * table files ({@link RocksDbStore#MAX_OPEN_FILES}) and everything else it opens while running. At the cap, the
 * listener stops accepting until a connection ends: new clients wait in the kernel's backlog instead of being
 * refused, and idle connections are closed after the idle timeout.
 */
final class ConnectionLimit {
    /** Descriptors kept for what the process opens besides connections. */
    static final int RESERVE = RocksDbStore.MAX_OPEN_FILES + 64;
    /** The cap never goes below this, whatever the limit (a smaller one is refused at start). */
    static final int MINIMUM = 16;

    private ConnectionLimit() {
    }

    /**
     * The cap for each of {@code listeners} listeners.
     *
     * @param configured the configured cap per listener
     * @param listeners  how many listeners share the descriptors
     * @return the cap per listener
     * @throws IllegalStateException if the descriptor limit leaves fewer than {@value #MINIMUM} per listener
     */
    static int perListener(int configured, int listeners) {
        OptionalLong limit = descriptorLimit();
        if (limit.isEmpty()) {
            return configured;
        }
        long free = limit.getAsLong() - openDescriptors() - RESERVE;
        long each = free / listeners;
        if (each < MINIMUM) {
            throw new IllegalStateException("the open-files limit (" + limit.getAsLong() + ") leaves "
                    + Math.max(0, free)
                    + " descriptors for connections; raise it (ulimit -n) to at least "
                    + (limit.getAsLong() - free + (long) MINIMUM * listeners));
        }
        return (int) Math.min(configured, each);
    }

    /** The soft limit on open files, from {@code /proc/self/limits}; empty where there is none to read. */
    static OptionalLong descriptorLimit() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/limits"))) {
            return lines.filter(line -> line.startsWith("Max open files"))
                    .map(line -> line.substring("Max open files".length()).trim().split("\\s+")[0])
                    .filter(soft -> soft.chars().allMatch(Character::isDigit))
                    .mapToLong(Long::parseLong)
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static long openDescriptors() {
        try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
            return open.count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
