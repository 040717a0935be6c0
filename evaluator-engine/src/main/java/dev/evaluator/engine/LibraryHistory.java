package dev.evaluator.engine;

import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.HistoryStore;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreTransaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;

/**
 * The lifecycle of libraries: every successful create, replace or rollback makes an immutable version (identical
 * code makes none), written with the library and its audit record in one transaction; versions are listed, read and
 * compared; a rollback makes a new version with an old version's code, through the same syntax check and binding
 * guard as any write. Optimistic concurrency: a change may require the library's current ETag ({@code If-Match}) or
 * its absence ({@code If-None-Match: *}), checked in the change's transaction.
 * <p>
 * The ETag of a library is strong and derived from its code alone: {@code "} + the SHA-256 of its UTF-8 bytes in
 * hexadecimal + {@code "}, which is its current version's hash.
 */
public final class LibraryHistory {
    /** Versions kept per library unless configured otherwise ({@code --history-versions}). */
    public static final int DEFAULT_KEEP = 100;
    /** The most versions one page lists. */
    public static final int MAX_PAGE = 1000;
    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");
    private static final int DIFF_CONTEXT = 3;

    private final Store store;
    private final FunctionCatalog catalog;
    private final AuditLog audit;
    private final int keep;

    /**
     * @param keep the versions kept per library, at least 1; older ones are pruned by the write that makes a new one
     * @throws IllegalArgumentException when {@code keep} is below 1
     */
    public LibraryHistory(Store store, FunctionCatalog catalog, AuditLog audit, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one version");
        }
        this.store = store;
        this.catalog = catalog;
        this.audit = audit;
        this.keep = keep;
    }

    /** What a change requires of the library as it is. */
    public sealed interface Precondition {
        /** Nothing: Couchbase's behaviour. */
        Precondition NONE = new None();

        /** No condition. */
        record None() implements Precondition {
        }

        /**
         * {@code If-Match}: the library exists and its ETag is one of these; {@code *} matches any existing one.
         *
         * @param etags the entity tags as the header lists them, quotes included
         */
        record IfMatch(List<String> etags) implements Precondition {
            /** Copy. */
            public IfMatch {
                etags = List.copyOf(etags);
            }
        }

        /** {@code If-None-Match: *}: the library does not exist (create only). */
        record IfAbsent() implements Precondition {
        }
    }

    /**
     * Who makes a change, from where, what they say of it and what they require.
     *
     * @param user         the caller's login name
     * @param client       the client's address
     * @param message      a message for the version, or empty
     * @param precondition what the library must be like for the change to apply
     */
    public record Edit(String user, String client, String message, Precondition precondition) {
        /** Check. */
        public Edit {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(precondition, "precondition");
        }
    }

    /**
     * How a write ended.
     *
     * @param etag    the library's ETag now
     * @param version the version it is now (empty for a library whose code predates its history and did not change)
     * @param created whether this write made that version (false: the code was identical)
     */
    public record Written(String etag, Optional<LibraryVersion> version, boolean created) {
    }

    /**
     * A library's ETag.
     *
     * @return the strong entity tag, quotes included
     */
    public static String etag(Library library) {
        return etag(sha256(library.code()));
    }

    private static String etag(String sha256) {
        return "\"" + sha256 + "\"";
    }

    /**
     * The SHA-256 of a text's UTF-8 bytes.
     *
     * @return 64 lower-case hexadecimal digits
     */
    public static String sha256(String text) {
        return LibraryVersion.sha256(text);
    }

    /**
     * Create or replace a library: a new version unless the code is what it is already.
     *
     * @param force keep bindings to functions the new code no longer defines
     * @return the outcome
     * @throws dev.evaluator.runtime.JsSyntaxException when the code does not parse; nothing is changed
     * @throws EngineException                         {@code BINDING_BROKEN}, {@code PRECONDITION_FAILED}
     */
    public Written write(LibraryId id, String code, boolean force, Edit edit) {
        return catalog.upsertLibrary(id, code, force, new Change(edit, Optional.empty()));
    }

    /**
     * Make a new version of a library whose code is an old version's; also restores a deleted library.
     *
     * @param number the version whose code to restore
     * @param force  keep bindings to functions that code does not define
     * @return the outcome
     * @throws EngineException {@code VERSION_NOT_FOUND}, {@code BINDING_BROKEN}, {@code PRECONDITION_FAILED}
     */
    public Written rollback(LibraryId id, long number, boolean force, Edit edit) {
        String code = history().code(id, number).orElseThrow(() -> versionNotFound(id, number));
        Edit rollback = edit.message().isEmpty()
                ? new Edit(edit.user(), edit.client(), "Rollback to version " + number, edit.precondition())
                : edit;
        return catalog.upsertLibrary(id, code, force, new Change(rollback, Optional.of(number)));
    }

    /**
     * Delete a library; its history stays unless purged. With {@code purge}, a library already deleted has its
     * history removed.
     *
     * @param purge remove the history too
     * @throws EngineException {@code LIBRARY_IN_USE}, {@code LIBRARY_NOT_FOUND} (no library, and with
     *                         {@code purge} no history either), {@code PRECONDITION_FAILED}
     */
    public void delete(LibraryId id, boolean purge, Edit edit) {
        if (purge && purgeDeleted(id, edit)) {
            return;
        }
        catalog.deleteLibrary(id, new FunctionCatalog.LibraryChange<Void>() {
            @Override
            public void check(StoreTransaction tx, Optional<Library> current) {
                require(edit.precondition(), current, false);
            }

            @Override
            public Void written(StoreTransaction tx, Optional<Library> previous, Library written, List<String> kept) {
                throw new IllegalStateException("a delete writes no library");
            }

            @Override
            public void deleted(StoreTransaction tx, Library deleted) {
                OptionalLong last = tx.latestVersion(id).map(v -> OptionalLong.of(v.number()))
                        .orElse(OptionalLong.empty());
                int purged = purge ? tx.purgeHistory(id) : 0;
                tx.appendAudit(audit.entry(edit.user(), edit.client(), purge ? "library.purge" : "library.delete",
                        target(id), AuditEntry.SUCCESS, last, purge ? purged + " version(s) purged" : ""));
            }
        });
    }

    /** Purge the history of a library that is deleted already; false when the library exists (or has no history). */
    private boolean purgeDeleted(LibraryId id, Edit edit) {
        return store.transact(tx -> {
            Optional<Library> current = tx.findLibrary(id);
            if (current.isPresent()) {
                return false;
            }
            Optional<LibraryVersion> last = tx.latestVersion(id);
            if (last.isEmpty()) {
                return false;
            }
            require(edit.precondition(), current, false);
            int purged = tx.purgeHistory(id);
            tx.appendAudit(audit.entry(edit.user(), edit.client(), "library.purge", target(id), AuditEntry.SUCCESS,
                    OptionalLong.of(last.get().number()), purged + " version(s) purged"));
            return true;
        });
    }

    /** The writes of one change besides the library: its check, its version and its audit record. */
    private final class Change implements FunctionCatalog.LibraryChange<Written> {
        private final Edit edit;
        private final Optional<Long> rollbackTo;

        Change(Edit edit, Optional<Long> rollbackTo) {
            this.edit = edit;
            this.rollbackTo = rollbackTo;
        }

        @Override
        public void check(StoreTransaction tx, Optional<Library> current) {
            require(edit.precondition(), current, true);
        }

        @Override
        public Written written(StoreTransaction tx, Optional<Library> previous, Library written, List<String> kept) {
            String sha = sha256(written.code());
            Optional<LibraryVersion> latest = tx.latestVersion(written.id());
            boolean unchanged = previous.isPresent() && previous.get().code().equals(written.code())
                    && latest.isPresent() && latest.get().sha256().equals(sha);
            String action = rollbackTo.isPresent() ? "library.rollback"
                    : previous.isPresent() ? "library.replace" : "library.create";
            List<String> details = new ArrayList<>();
            rollbackTo.ifPresent(n -> details.add("to version " + n));
            if (!kept.isEmpty()) {
                details.add("forced, broken bindings kept: " + String.join(", ", kept));
            }
            Optional<LibraryVersion> version = latest;
            if (unchanged) {
                details.add("unchanged");
            } else {
                version = Optional.of(tx.appendVersion(written.id(), written.code(), edit.user(), edit.message(),
                        keep));
            }
            tx.appendAudit(audit.entry(edit.user(), edit.client(), action, target(written.id()), AuditEntry.SUCCESS,
                    version.map(v -> OptionalLong.of(v.number())).orElse(OptionalLong.empty()),
                    String.join("; ", details)));
            return new Written(etag(sha), version, !unchanged);
        }
    }

    /**
     * Refuse a change whose precondition does not hold.
     *
     * @param write whether the change writes the library (only a write may require its absence)
     */
    private static void require(Precondition precondition, Optional<Library> current, boolean write) {
        switch (precondition) {
            case Precondition.None n -> {
            }
            case Precondition.IfMatch m -> {
                if (current.isEmpty()) {
                    throw preconditionFailed("The library does not exist, so it cannot match If-Match", "");
                }
                String etag = etag(current.get());
                if (!m.etags().contains("*") && !m.etags().contains(etag)) {
                    throw preconditionFailed("The library was changed meanwhile: its ETag is " + etag
                            + ", not what If-Match names; read it again and reapply your change", etag);
                }
            }
            case Precondition.IfAbsent a -> {
                if (!write) {
                    throw new IllegalArgumentException("If-None-Match: * applies to creating a library only");
                }
                if (current.isPresent()) {
                    throw preconditionFailed("The library exists already (If-None-Match: * creates only)",
                            etag(current.get()));
                }
            }
        }
    }

    private static EngineException preconditionFailed(String message, String etag) {
        return new EngineException(EngineException.Kind.PRECONDITION_FAILED, message, List.of(), etag);
    }

    /**
     * A page of a library's versions, newest first.
     *
     * @param below only versions numbered below this ({@link Long#MAX_VALUE} for the newest)
     * @param limit at most this many, 1 to {@link #MAX_PAGE}
     * @return the versions
     * @throws EngineException {@code LIBRARY_NOT_FOUND} when the library neither exists nor has a history
     */
    public List<LibraryVersion> versions(LibraryId id, long below, int limit) {
        List<LibraryVersion> found = history().versions(id, below, limit);
        if (found.isEmpty() && below == Long.MAX_VALUE && catalog.findLibrary(id).isEmpty()) {
            throw FunctionCatalog.notFound(id);
        }
        return found;
    }

    /**
     * One version with its code.
     *
     * @param version the version's metadata
     * @param code    its code
     */
    public record VersionCode(LibraryVersion version, String code) {
    }

    /**
     * One version of a library, with its code.
     *
     * @return the version
     * @throws EngineException {@code VERSION_NOT_FOUND}
     */
    public VersionCode version(LibraryId id, long number) {
        LibraryVersion version = history().find(id, number).orElseThrow(() -> versionNotFound(id, number));
        String code = history().code(id, number).orElseThrow(() -> versionNotFound(id, number));
        return new VersionCode(version, code);
    }

    /**
     * One hunk of a unified diff.
     *
     * @param oldStart the first line of the hunk in the old version (1-based; 0 when it has no lines there)
     * @param oldLines how many lines of the old version it spans
     * @param newStart the first line in the new version
     * @param newLines how many lines of the new version it spans
     * @param lines    the hunk's lines, each {@code " "} (context), {@code "-"} (only in the old) or {@code "+"}
     *                 (only in the new) and the line's text
     */
    public record Hunk(int oldStart, int oldLines, int newStart, int newLines, List<String> lines) {
        /** Copy. */
        public Hunk {
            lines = List.copyOf(lines);
        }
    }

    /**
     * What changed from one version to another.
     *
     * @param from    the old version
     * @param to      the new version
     * @param unified the unified diff (empty when the code is the same)
     * @param hunks   the same as hunks
     */
    public record Diff(LibraryVersion from, LibraryVersion to, String unified, List<Hunk> hunks) {
        /** Copy. */
        public Diff {
            hunks = List.copyOf(hunks);
        }
    }

    /**
     * The unified diff between two versions of a library, with three lines of context.
     *
     * @param from the old version's number
     * @param to   the new version's number
     * @return the diff
     * @throws EngineException {@code VERSION_NOT_FOUND}
     */
    public Diff diff(LibraryId id, long from, long to) {
        VersionCode a = version(id, from);
        VersionCode b = version(id, to);
        List<String> oldLines = a.code().lines().toList();
        List<String> newLines = b.code().lines().toList();
        Patch<String> patch = DiffUtils.diff(oldLines, newLines);
        if (patch.getDeltas().isEmpty()) {
            return new Diff(a.version(), b.version(), "", List.of());
        }
        String path = target(id);
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(path + "@" + from, path + "@" + to, oldLines,
                patch, DIFF_CONTEXT);
        List<Hunk> hunks = new ArrayList<>();
        List<String> lines = null;
        int[] header = null;
        for (String line : unified.subList(2, unified.size())) {
            Matcher m = HUNK.matcher(line);
            if (m.find()) {
                if (lines != null) {
                    hunks.add(new Hunk(header[0], header[1], header[2], header[3], lines));
                }
                header = new int[] {Integer.parseInt(m.group(1)), m.group(2) == null ? 1 : Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), m.group(4) == null ? 1 : Integer.parseInt(m.group(4))};
                lines = new ArrayList<>();
            } else if (lines != null) {
                lines.add(line);
            }
        }
        if (lines != null) {
            hunks.add(new Hunk(header[0], header[1], header[2], header[3], lines));
        }
        return new Diff(a.version(), b.version(), String.join("\n", unified) + "\n", hunks);
    }

    /**
     * A library's history as the history list shows it.
     *
     * @param library the library
     * @param deleted whether the library is deleted (its history kept)
     * @param latest  its newest version
     */
    public record HistorySummary(LibraryId library, boolean deleted, LibraryVersion latest) {
    }

    /**
     * The histories of libraries, deleted ones or all.
     *
     * @param deletedOnly only libraries that are deleted
     * @param namespace   only this namespace's, if given
     * @return the histories, sorted as libraries are
     */
    public List<HistorySummary> histories(boolean deletedOnly, Optional<Namespace> namespace) {
        List<HistorySummary> found = new ArrayList<>();
        for (LibraryId id : history().libraries()) {
            if (namespace.isPresent() && !namespace.get().equals(id.namespace())) {
                continue;
            }
            boolean deleted = catalog.findLibrary(id).isEmpty();
            if (deletedOnly && !deleted) {
                continue;
            }
            history().versions(id, Long.MAX_VALUE, 1).stream().findFirst()
                    .ifPresent(latest -> found.add(new HistorySummary(id, deleted, latest)));
        }
        return found;
    }

    private HistoryStore history() {
        return store.history();
    }

    /**
     * A library as audit entries name it: {@code name} or {@code bucket/scope/name}.
     *
     * @return the target
     */
    public static String target(LibraryId id) {
        return FunctionDefinition.defaultPath(id);
    }

    private static EngineException versionNotFound(LibraryId id, long number) {
        return new EngineException(EngineException.Kind.VERSION_NOT_FOUND, "Library "
                + FunctionCatalog.describe(id) + " has no version " + number
                + " (never made, or pruned, or purged); list its versions to see which are kept");
    }
}
