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
 * table files ({@link RocksDbStore#MAX_OPEN_FILES}) and everything else it opens while running, and less the
 * {@link #refusalReserve(int) reserve} with which connections beyond the cap are answered 503 ({@link ConnectionGate}).
 * Only beyond that reserve does the listener stop accepting until a connection ends (clients then wait in the
 * kernel's backlog).
 */
final class ConnectionLimit {
    /** Descriptors kept for what the process opens besides connections. */
    static final int RESERVE = RocksDbStore.MAX_OPEN_FILES + 64;
    /** The cap, and its reserve for refusals, never go below this (a smaller limit is refused at start). */
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
        long usable = each - refusalReserve((int) Math.min(Integer.MAX_VALUE, Math.max(0, each)));
        if (usable < MINIMUM) {
            throw new IllegalStateException("the open-files limit (" + limit.getAsLong() + ") leaves "
                    + Math.max(0, free)
                    + " descriptors for connections; raise it (ulimit -n) to at least "
                    + (limit.getAsLong() - free + 2L * MINIMUM * listeners));
        }
        return (int) Math.min(configured, usable);
    }

    /**
     * The connections a listener accepts beyond its cap only to refuse them with an answer (503): at least
     * {@value #MINIMUM}, or a sixteenth of the cap. Beyond these the listener stops accepting.
     *
     * @param cap the cap of the listener
     * @return the descriptors kept for refusals
     */
    static int refusalReserve(int cap) {
        return Math.max(MINIMUM, cap / 16);
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
