package dev.evaluator.engine;

import dev.evaluator.runtime.JsSyntaxException;
import dev.evaluator.store.AuditEntry;
import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.Library;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;
import dev.evaluator.store.StoreTransaction;
import dev.evaluator.store.User;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Export and import of libraries and their SQL++ function bindings (and, on request, users), as one
 * self-describing JSON document: backups, and moving between servers.
 * <p>
 * The document is {@code {"format":"evaluator-export","formatVersion":1,"exported":...,"libraries":[...],
 * "functions":[...][,"users":[...]],"sha256":"<hex>"}}, where {@code sha256} is the SHA-256 of every byte before
 * {@code ,"sha256"}; each library also carries the SHA-256 of its code, so a damaged one is named. An export is
 * written as it is read from the store, a few libraries at a time.
 * <p>
 * An import checks the checksum and the format version, validates every library (syntax) and every binding (the
 * checks of CREATE FUNCTION, against the state the import would leave) and every user (name, roles, a hash this
 * service writes, an administrator left) before it changes anything, then applies everything in one transaction:
 * all or nothing. A library's {@code history}, when the document has one, is restored with its numbers, times,
 * users and messages (see {@link #importDocument}); an imported library without one whose code changes gets a new
 * version. Users are created or replaced, never removed ({@code flush} empties libraries and functions only, so
 * the importer keeps its login).
 * <p>
 * The document is read in two streaming passes over its bytes (syntax, format and checksum; then one entry at a
 * time), never as one tree, and the libraries' parse results are not cached: an import holds the document, its
 * entries and the write batch, little else.
 */
public final class LibraryArchive {
    /** The document's {@code format}. */
    public static final String FORMAT = "evaluator-export";
    /** The document's {@code formatVersion} this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    private static final String TRAILER = ",\"sha256\":\"";
    private static final HexFormat HEX = HexFormat.of();
    /** Reads one entry of a document at a time (the first pass refuses trailing tokens and duplicate keys). */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Store store;
    private final FunctionCatalog catalog;
    private final AuditLog audit;
    private final int keep;

    /**
     * @param keep versions kept per library ({@code --history-versions})
     */
    public LibraryArchive(Store store, FunctionCatalog catalog, AuditLog audit, int keep) {
        this.store = store;
        this.catalog = catalog;
        this.audit = audit;
        this.keep = keep;
    }

    /**
     * What an export holds.
     *
     * @param namespace only this namespace's libraries and functions, if given
     * @param history   each library's kept versions, with their code
     * @param users     the users with their password hashes (for an administrator, over TLS or loopback only:
     *                  the caller decides)
     */
    public record ExportOptions(Optional<Namespace> namespace, boolean history, boolean users) {
    }

    /** How an import treats what exists. */
    public enum Mode {
        /** Refuse if any library or function of the document exists, listing them. */
        APPEND,
        /** Overwrite the libraries and functions of the document; keep the others. */
        REPLACE,
        /** Delete every library and function first (their histories stay; users are never removed). */
        FLUSH;

        /**
         * The mode a parameter names.
         *
         * @return the mode
         * @throws EngineException {@code INVALID_ARGUMENT} for another text
         */
        public static Mode parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "append" -> APPEND;
                case "replace" -> REPLACE;
                case "flush" -> FLUSH;
                default -> throw new EngineException(EngineException.Kind.INVALID_ARGUMENT,
                        "mode must be append, replace or flush, not '" + text + "'");
            };
        }

        /**
         * The mode as parameters and audit entries write it.
         *
         * @return the text
         */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Write an export.
     *
     * @param out where the document goes; not closed
     * @throws UncheckedIOException when the output fails
     */
    public void export(ExportOptions options, OutputStream out) {
        MessageDigest digest = sha256();
        try {
            DigestOutputStream hashed = new DigestOutputStream(out, digest);
            JsonGenerator json = new JsonFactory().createGenerator(hashed)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("formatVersion", FORMAT_VERSION);
            json.writeStringField("exported", Instant.now().toString());
            if (options.namespace().isPresent()) {
                json.writeFieldName("namespace");
                writeNamespace(json, options.namespace().get());
            }
            json.writeArrayFieldStart("libraries");
            UncheckedIOException[] failed = {null};
            store.libraries().forEach(library -> {
                if (failed[0] != null || options.namespace().map(n -> !n.equals(library.id().namespace()))
                        .orElse(false)) {
                    return;
                }
                try {
                    writeLibrary(json, library, options.history());
                } catch (IOException e) {
                    failed[0] = new UncheckedIOException(e);
                }
            });
            if (failed[0] != null) {
                throw failed[0];
            }
            json.writeEndArray();
            json.writeArrayFieldStart("functions");
            for (FunctionDefinition f : store.functions().list()) {
                if (options.namespace().map(n -> n.equals(f.id().namespace())).orElse(true)) {
                    writeFunction(json, f);
                }
            }
            json.writeEndArray();
            if (options.users()) {
                json.writeArrayFieldStart("users");
                for (User user : store.users().list()) {
                    json.writeStartObject();
                    json.writeStringField("name", user.name());
                    json.writeArrayFieldStart("roles");
                    for (String role : user.roles()) {
                        json.writeString(role);
                    }
                    json.writeEndArray();
                    json.writeStringField("passwordHash", user.passwordHash());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.flush();
            // The checksum covers every byte before it; it is written past the digest.
            out.write((TRAILER + HEX.formatHex(digest.digest()) + "\"}\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeLibrary(JsonGenerator json, Library library, boolean history) throws IOException {
        json.writeStartObject();
        writeIdentity(json, library.id().name(), library.id().namespace());
        json.writeStringField("modified", library.modified().toString());
        json.writeStringField("sha256", LibraryHistory.sha256(library.code()));
        json.writeStringField("code", library.code());
        if (history) {
            json.writeArrayFieldStart("history");
            long below = Long.MAX_VALUE;
            while (true) {
                List<LibraryVersion> page = store.history().versions(library.id(), below, 100);
                for (LibraryVersion v : page) {
                    Optional<String> code = store.history().code(library.id(), v.number());
                    if (code.isEmpty()) {
                        continue;
                    }
                    json.writeStartObject();
                    json.writeNumberField("version", v.number());
                    json.writeStringField("created", v.created().toString());
                    json.writeStringField("user", v.user());
                    json.writeStringField("message", v.message());
                    json.writeStringField("sha256", v.sha256());
                    json.writeStringField("code", code.get());
                    json.writeEndObject();
                }
                if (page.size() < 100) {
                    break;
                }
                below = page.getLast().number();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static void writeFunction(JsonGenerator json, FunctionDefinition f) throws IOException {
        json.writeStartObject();
        writeIdentity(json, f.id().name(), f.id().namespace());
        if (f.parameters().isPresent()) {
            json.writeArrayFieldStart("parameters");
            for (String p : f.parameters().get()) {
                json.writeString(p);
            }
            json.writeEndArray();
        } else {
            json.writeNullField("parameters");
        }
        json.writeFieldName("library");
        json.writeStartObject();
        writeIdentity(json, f.library().name(), f.library().namespace());
        json.writeEndObject();
        json.writeStringField("object", f.object());
        json.writeStringField("libraryPath", f.libraryPath());
        json.writeStringField("created", f.created().toString());
        json.writeEndObject();
    }

    private static void writeIdentity(JsonGenerator json, String name, Namespace namespace) throws IOException {
        json.writeStringField("name", name);
        json.writeStringField("bucket", namespace instanceof Namespace.Scoped s ? s.bucket() : "");
        json.writeStringField("scope", namespace instanceof Namespace.Scoped s ? s.scope() : "");
    }

    private static void writeNamespace(JsonGenerator json, Namespace namespace) throws IOException {
        json.writeStartObject();
        json.writeStringField("bucket", namespace instanceof Namespace.Scoped s ? s.bucket() : "");
        json.writeStringField("scope", namespace instanceof Namespace.Scoped s ? s.scope() : "");
        json.writeEndObject();
    }

    /**
     * What an import did.
     *
     * @param mode       the mode
     * @param libraries  libraries written
     * @param versions   versions made ("Imported (mode)": libraries whose code changed and whose history, if the
     *                   document has one, does not end with that code)
     * @param restored   versions restored from the document's histories
     * @param renumbered libraries whose restored versions were numbered above the versions they had already
     * @param functions  functions written
     * @param users      users written
     */
    public record Imported(Mode mode, int libraries, int versions, int restored, int renumbered, int functions,
                           int users) {
    }

    /**
     * Import a document: check it whole, then apply it in one transaction.
     * <p>
     * A library with a {@code history} gets its versions back, with their numbers, times, users, messages and code,
     * when every one of them numbers above what the library had (always so on an empty server). Versions the
     * library keeps already (same number, sha256, time, user and message: the same version, as after a flush of
     * the server the backup came from) are left as they are. Otherwise the document's other versions are numbered
     * on above the library's highest number, oldest first, keeping their time, user, message and code: numbers are
     * never reused, so a number never names two different versions. Of the resulting history the newest
     * {@code --history-versions} are kept. When the newest version is the library's code, the library keeps the
     * document's {@code modified} and no version is made; otherwise an "Imported (mode)" version is appended.
     *
     * @param document the document's bytes (not referenced once read: a caller that keeps no reference of its own
     *                 lets it be collected while the import validates and writes)
     * @param user     who imports, for the versions and the audit trail
     * @param client   from where
     * @return what it did
     * @throws EngineException {@code IMPORT_INVALID} naming where the document is broken or what it holds would be
     *                         refused, {@code IMPORT_COLLISION} in append mode; nothing is changed
     */
    public Imported importDocument(byte[] document, Mode mode, String user, String client) {
        Parsed parsed = parse(document);
        // The document is read: dropped here, so (when the caller keeps no reference either) the validation and the
        // transaction run without it in memory.
        document = null;
        int[] counts = validate(parsed, mode);
        Imported done = store.transact(tx -> {
            if (mode == Mode.FLUSH) {
                for (FunctionDefinition f : store.functions().list()) {
                    tx.deleteFunction(f.id());
                }
                List<LibraryId> existing = new ArrayList<>();
                store.libraries().forEach(l -> existing.add(l.id()));
                existing.forEach(tx::deleteLibrary);
            }
            if (mode == Mode.APPEND) {
                List<String> collisions = new ArrayList<>();
                parsed.libraries().forEach(l -> tx.findLibrary(l.library().id()).ifPresent(x -> collisions.add(
                        "library " + FunctionCatalog.describe(l.library().id()))));
                parsed.functions().forEach(f -> tx.findFunction(f.id()).ifPresent(x -> collisions.add(
                        "function " + QualifiedName.of(f.id()))));
                parsed.users().forEach(u -> tx.findUser(u.name()).ifPresent(x -> collisions.add("user " + u.name())));
                if (!collisions.isEmpty()) {
                    throw collision(collisions);
                }
            }
            int versions = 0;
            int restored = 0;
            int renumbered = 0;
            for (int i = 0; i < parsed.libraries().size(); i++) {
                Entry entry = parsed.libraries().get(i);
                Library library = entry.library();
                LibraryId id = library.id();
                String sha256 = LibraryHistory.sha256(library.code());
                OptionalInt count = OptionalInt.of(counts[i]);
                if (entry.history().isEmpty()) {
                    Optional<Library> previous = tx.findLibrary(id);
                    tx.upsertLibrary(id, library.code(), count);
                    Optional<LibraryVersion> latest = tx.latestVersion(id);
                    boolean same = previous.isPresent() && previous.get().code().equals(library.code())
                            && latest.isPresent() && latest.get().sha256().equals(sha256);
                    if (!same) {
                        tx.appendVersion(id, library.code(), user, "Imported (" + mode.text() + ")", keep);
                        versions++;
                    }
                    continue;
                }
                Restore restore = restore(tx, id, entry.history());
                restored += restore.restored();
                renumbered += restore.renumbered() ? 1 : 0;
                Optional<LibraryVersion> latest = tx.latestVersion(id);
                if (latest.isPresent() && latest.get().sha256().equals(sha256)) {
                    tx.upsertLibrary(id, library.code(), count, library.modified());
                } else {
                    tx.upsertLibrary(id, library.code(), count);
                    tx.appendVersion(id, library.code(), user, "Imported (" + mode.text() + ")", keep);
                    versions++;
                }
            }
            parsed.functions().forEach(tx::upsertFunction);
            parsed.users().forEach(tx::upsertUser);
            tx.appendAudit(audit.entry(user, client, "import", mode.text(), AuditEntry.SUCCESS,
                    OptionalLong.empty(), parsed.libraries().size() + " libraries, " + parsed.functions().size()
                            + " functions, " + parsed.users().size() + " users" + (restored == 0 ? ""
                            : ", " + restored + " versions restored" + (renumbered == 0 ? ""
                            : " (renumbered in " + renumbered + " libraries)"))));
            return new Imported(mode, parsed.libraries().size(), versions, restored, renumbered,
                    parsed.functions().size(), parsed.users().size());
        });
        parsed.libraries().forEach(l -> catalog.release(l.library().id()));
        return done;
    }

    /** What restoring one library's history did. */
    private record Restore(int restored, boolean renumbered) {
    }

    /** Restore a library's versions from the document (newest first), under the rules of importDocument. */
    private Restore restore(StoreTransaction tx, LibraryId id, List<Version> history) {
        long last = tx.lastVersionNumber(id);
        List<Version> missing = new ArrayList<>();
        for (Version v : history.reversed()) {
            boolean there = v.number() <= last && tx.findVersion(id, v.number()).filter(kept ->
                    kept.sha256().equals(LibraryHistory.sha256(v.code())) && kept.created().equals(v.created())
                            && kept.user().equals(v.user()) && kept.message().equals(v.message())).isPresent();
            if (!there) {
                missing.add(v);
            }
        }
        if (missing.isEmpty()) {
            return new Restore(0, false);
        }
        // The document's numbers are kept when they come after every number the library had and either continue
        // its kept versions or it has none (deleted, purged, new): a library's kept versions stay one run of
        // consecutive numbers, which retention and purge rely on. Otherwise they are renumbered after its last.
        long first = missing.getFirst().number();
        boolean renumber = first <= last || (first != last + 1 && tx.findVersion(id, last).isPresent());
        long newest = renumber ? last + missing.size() : missing.getLast().number();
        int written = 0;
        for (int i = 0; i < missing.size(); i++) {
            Version v = missing.get(i);
            long number = renumber ? last + 1 + i : v.number();
            if (number <= newest - keep) {
                // Beyond the retention of the history it joins: it would be pruned in the same write.
                continue;
            }
            tx.restoreVersion(new LibraryVersion(id, number, v.created(), v.user(), LibraryHistory.sha256(v.code()),
                    v.code().getBytes(StandardCharsets.UTF_8).length, v.message()), v.code(), keep);
            written++;
        }
        return new Restore(written, renumber && written > 0);
    }

    /**
     * One version of a library's history in a document (its sha256 was checked, and is computed again when
     * needed rather than held for every version).
     */
    private record Version(long number, Instant created, String user, String message, String code) {
    }

    /** A library of a document, with its history (newest first; empty when it has none). */
    private record Entry(Library library, List<Version> history) {
    }

    /** A document's content, read and checked for shape. */
    private record Parsed(List<Entry> libraries, List<FunctionDefinition> functions, List<User> users) {
    }

    /**
     * Read a document without holding it as a tree: a first pass checks it is JSON (naming where it is not) and
     * reads its format, version and checksum; then the checksum is checked; then a second pass reads the entries
     * one at a time.
     */
    private static Parsed parse(byte[] document) {
        Header header = header(document);
        if (!header.object()) {
            throw invalid("The document must be a JSON object (an export of this service)", "document");
        }
        if (!FORMAT.equals(header.format())) {
            throw invalid(header.format() == null ? "document.format must be a string"
                    : "The document is not an export of this service: its format is not '" + FORMAT + "'",
                    header.format() == null ? "document" : "format");
        }
        if (!Integer.valueOf(FORMAT_VERSION).equals(header.formatVersion())) {
            throw invalid("formatVersion " + header.formatVersionText() + " is not one this server reads (it reads "
                    + FORMAT_VERSION + ")", "formatVersion");
        }
        if (header.sha256() == null) {
            throw invalid("sha256.sha256 must be a string", "sha256");
        }
        checkChecksum(document, header.sha256());
        List<Entry> libraries = null;
        List<FunctionDefinition> functions = null;
        List<User> users = new ArrayList<>();
        try (JsonParser json = MAPPER.getFactory().createParser(document)) {
            json.nextToken();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "libraries" -> libraries = libraries(json, value);
                    case "functions" -> functions = functions(json, value);
                    case "users" -> users = users(json, value);
                    default -> json.skipChildren();
                }
            }
        } catch (IOException e) {
            // The first pass read the same bytes.
            throw new UncheckedIOException(e);
        }
        if (libraries == null) {
            throw invalid("libraries must be an array", "libraries");
        }
        if (functions == null) {
            throw invalid("functions must be an array", "functions");
        }
        return new Parsed(libraries, functions, users);
    }

    /** What the first pass reads: the root's kind and its format, version and checksum fields. */
    private record Header(boolean object, String format, Integer formatVersion, String formatVersionText,
                          String sha256) {
    }

    private static Header header(byte[] document) {
        try (JsonParser json = MAPPER.getFactory().createParser(document)) {
            json.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonToken root = json.nextToken();
            if (root == null) {
                throw new JsonParseException(json, "No content to map due to end-of-input");
            }
            String format = null;
            Integer formatVersion = null;
            String formatVersionText = null;
            String sha256 = null;
            if (root == JsonToken.START_OBJECT) {
                while (json.nextToken() == JsonToken.FIELD_NAME) {
                    String field = json.currentName();
                    JsonToken value = json.nextToken();
                    switch (field) {
                        case "format" -> format = value == JsonToken.VALUE_STRING ? json.getText() : null;
                        case "sha256" -> sha256 = value == JsonToken.VALUE_STRING ? json.getText() : null;
                        case "formatVersion" -> {
                            formatVersionText = value.isScalarValue() ? json.getText() : String.valueOf(value);
                            formatVersion = value == JsonToken.VALUE_NUMBER_INT
                                    && json.getNumberType() == JsonParser.NumberType.INT ? json.getIntValue() : null;
                        }
                        default -> json.skipChildren();
                    }
                }
            } else {
                json.skipChildren();
            }
            if (json.nextToken() != null) {
                throw new JsonParseException(json, "Trailing token (of type " + json.currentToken()
                        + ") found after value");
            }
            return new Header(root == JsonToken.START_OBJECT, format, formatVersion, formatVersionText, sha256);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()
                    + " (byte " + at.getByteOffset() + " of " + document.length + ")";
            boolean truncated = e.getOriginalMessage() != null
                    && e.getOriginalMessage().toLowerCase(Locale.ROOT).contains("end-of-input");
            throw invalid((truncated ? "The document is truncated" : "The document is not valid JSON") + where
                    + ": " + e.getOriginalMessage(), "document");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each element of the array the parser is at, one at a time, as a small tree. */
    private static void each(JsonParser json, JsonToken value, String field, ElementReader reader)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw invalid(field + " must be an array", field);
        }
        int i = 0;
        while (json.nextToken() != JsonToken.END_ARRAY) {
            reader.read(i, MAPPER.readTree(json));
            i++;
        }
    }

    /** What to do with one element of an array of the document. */
    @FunctionalInterface
    private interface ElementReader {
        void read(int index, JsonNode element);
    }

    private static List<Entry> libraries(JsonParser json, JsonToken value) throws IOException {
        List<Entry> libraries = new ArrayList<>();
        Set<LibraryId> seen = new java.util.HashSet<>();
        Map<String, String> users = new HashMap<>();
        each(json, value, "libraries", (i, element) -> {
            String where = "libraries[" + i + "]";
            JsonNode entry = object(element, where);
            LibraryId id = libraryId(entry, where);
            String code = text(entry, "code", where);
            if (!LibraryHistory.sha256(code).equals(text(entry, "sha256", where))) {
                throw invalid("Library " + FunctionCatalog.describe(id) + " (" + where + ") does not match its sha256:"
                        + " its code was changed or damaged after export", where);
            }
            if (!seen.add(id)) {
                throw invalid("Library " + FunctionCatalog.describe(id) + " appears twice (" + where + ")", where);
            }
            List<Version> history = history(entry, id, where, code, users);
            Instant modified = history.isEmpty() ? Instant.now() : instant(entry, "modified", where);
            libraries.add(new Entry(new Library(id, code, modified), history));
        });
        return libraries;
    }

    /** A library's versions in a document: newest first, consecutive, each matching its sha256. */
    private static List<Version> history(JsonNode entry, LibraryId id, String where, String current,
                                         Map<String, String> users) {
        JsonNode versions = entry.get("history");
        if (versions == null) {
            return List.of();
        }
        if (!versions.isArray()) {
            throw invalid(where + ".history must be an array", where + ".history");
        }
        List<Version> history = new ArrayList<>(versions.size());
        for (int j = 0; j < versions.size(); j++) {
            String at = where + ".history[" + j + "]";
            JsonNode version = object(versions.get(j), at);
            JsonNode number = version.get("version");
            if (number == null || !number.canConvertToLong() || !number.isIntegralNumber() || number.asLong() < 1) {
                throw invalid(at + ".version must be a whole number from 1", at);
            }
            long n = number.asLong();
            String name = "Version " + n + " of library " + FunctionCatalog.describe(id) + " (" + at + ")";
            if (!history.isEmpty()) {
                long above = history.getLast().number();
                if (n == above) {
                    throw invalid(name + " appears twice", at);
                }
                if (n > above) {
                    throw invalid(name + " comes after version " + above + ": a history lists its versions newest"
                            + " first", at);
                }
                if (n != above - 1) {
                    throw invalid(name + " follows version " + above + ": versions " + (n + 1) + " to "
                            + (above - 1) + " are missing (a history is consecutive)", at);
                }
            }
            String code = text(version, "code", at);
            String sha256 = text(version, "sha256", at);
            if (!LibraryHistory.sha256(code).equals(sha256)) {
                throw invalid(name + " does not match its sha256: its code was changed or damaged after export", at);
            }
            // Users repeat, and the newest version's code is usually the library's: each held once.
            history.add(new Version(n, instant(version, "created", at), users.computeIfAbsent(text(version, "user",
                    at), t -> t), text(version, "message", at), code.equals(current) ? current : code));
        }
        return history;
    }

    private static Instant instant(JsonNode node, String field, String where) {
        String text = text(node, field, where);
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw invalid(where + "." + field + " must be an ISO-8601 instant, not '" + text + "'", where);
        }
    }

    private static List<FunctionDefinition> functions(JsonParser json, JsonToken value) throws IOException {
        List<FunctionDefinition> functions = new ArrayList<>();
        Set<FunctionId> seenFunctions = new java.util.HashSet<>();
        each(json, value, "functions", (i, element) -> {
            String where = "functions[" + i + "]";
            JsonNode entry = object(element, where);
            FunctionDefinition f;
            try {
                LibraryId name = libraryId(entry, where);
                FunctionId id = new FunctionId(name.namespace(), name.name());
                JsonNode params = entry.get("parameters");
                Optional<List<String>> parameters;
                if (params == null || params.isNull()) {
                    parameters = Optional.empty();
                } else if (params.isArray()) {
                    List<String> list = new ArrayList<>();
                    params.forEach(p -> list.add(p.isTextual() ? p.asText() : null));
                    if (list.contains(null)) {
                        throw invalid(where + ".parameters must be strings", where);
                    }
                    parameters = Optional.of(list);
                } else {
                    throw invalid(where + ".parameters must be an array of strings or null", where);
                }
                LibraryId library = libraryId(object(entry.get("library"), where + ".library"), where + ".library");
                // A backup's binding keeps its creation time; a document without one gets the import's.
                Instant created = entry.has("created") ? instant(entry, "created", where) : Instant.now();
                f = new FunctionDefinition(id, parameters, library, text(entry, "object", where), created,
                        text(entry, "libraryPath", where));
            } catch (IllegalArgumentException e) {
                throw invalid(where + ": " + e.getMessage(), where);
            }
            if (!seenFunctions.add(f.id())) {
                throw invalid("Function " + QualifiedName.of(f.id()) + " appears twice (" + where + ")", where);
            }
            functions.add(f);
        });
        return functions;
    }

    private static List<User> users(JsonParser json, JsonToken value) throws IOException {
        List<User> users = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        each(json, value, "users", (i, element) -> {
            String where = "users[" + i + "]";
            JsonNode entry = object(element, where);
            String name = text(entry, "name", where);
            String hash = text(entry, "passwordHash", where);
            JsonNode roles = entry.get("roles");
            if (roles == null || !roles.isArray()) {
                throw invalid(where + ".roles must be an array of strings", where);
            }
            List<String> texts = new ArrayList<>();
            for (JsonNode role : roles) {
                if (!role.isTextual()) {
                    throw invalid(where + ".roles must be an array of strings", where);
                }
                try {
                    texts.add(Role.parse(role.asText()).text());
                } catch (EngineException e) {
                    throw invalid(where + ": " + e.getMessage(), where);
                }
            }
            if (!PasswordHasher.isEncoded(hash)) {
                throw invalid(where + ".passwordHash is not a hash this service writes", where);
            }
            User user;
            try {
                if (!UserAccounts.normalizeName(name).equals(name)) {
                    throw invalid(where + ".name is not in NFKC form, as stored names are", where);
                }
                user = new User(name, hash, texts);
            } catch (InvalidNameException e) {
                throw invalid(where + ": " + e.getMessage(), where);
            }
            if (!seen.add(name)) {
                throw invalid("User " + name + " appears twice (" + where + ")", where);
            }
            users.add(user);
        });
        return users;
    }

    private static void checkChecksum(byte[] document, String expected) {
        int end = document.length;
        while (end > 0 && Character.isWhitespace(document[end - 1])) {
            end--;
        }
        String tail = new String(document, Math.max(0, end - TRAILER.length() - 66), Math.min(end,
                TRAILER.length() + 66), StandardCharsets.US_ASCII);
        String trailer = TRAILER + expected + "\"}";
        if (!tail.endsWith(trailer)) {
            throw invalid("The document must end with its checksum, " + TRAILER + "<64 hex digits>\"}", "sha256");
        }
        MessageDigest digest = sha256();
        digest.update(document, 0, end - trailer.length());
        if (!HEX.formatHex(digest.digest()).equals(expected)) {
            throw invalid("The document does not match its sha256: it was changed or damaged after export", "sha256");
        }
    }

    /** Everything the import would leave must pass the checks a POST and a CREATE FUNCTION make. */
    private int[] validate(Parsed parsed, Mode mode) {
        Map<LibraryId, Library> resulting = new HashMap<>();
        int[] counts = new int[parsed.libraries().size()];
        for (int i = 0; i < parsed.libraries().size(); i++) {
            Library library = parsed.libraries().get(i).library();
            try {
                // Parsed once and not kept: what an import's libraries define is not cached for each of them.
                counts[i] = catalog.parse(library).size();
            } catch (JsSyntaxException e) {
                throw invalid("Library " + FunctionCatalog.describe(library.id()) + " (libraries[" + i + "], entry "
                        + (i + 1) + " of the document): SyntaxError: " + e.getMessage() + " (line " + e.line()
                        + ", column " + e.column() + "); nothing was imported", "libraries[" + i + "]");
            }
            resulting.put(library.id(), library);
        }
        if (mode == Mode.APPEND) {
            List<String> collisions = new ArrayList<>();
            parsed.libraries().stream().map(Entry::library).filter(l -> catalog.findLibrary(l.id()).isPresent())
                    .forEach(l -> collisions.add("library " + FunctionCatalog.describe(l.id())));
            parsed.functions().stream().filter(f -> catalog.function(f.id()).isPresent())
                    .forEach(f -> collisions.add("function " + QualifiedName.of(f.id())));
            parsed.users().stream().filter(u -> store.users().find(u.name()).isPresent())
                    .forEach(u -> collisions.add("user " + u.name()));
            if (!collisions.isEmpty()) {
                throw collision(collisions);
            }
        }
        if (!parsed.users().isEmpty()) {
            Map<String, User> resultingUsers = new HashMap<>();
            store.users().list().forEach(u -> resultingUsers.put(u.name(), u));
            parsed.users().forEach(u -> resultingUsers.put(u.name(), u));
            if (resultingUsers.values().stream().noneMatch(u -> u.roles().contains(Role.ADMIN.text()))) {
                throw invalid("The import would leave no administrator: keep the admin role on one user", "users");
            }
        }
        Map<FunctionId, FunctionDefinition> bindings = new LinkedHashMap<>();
        if (mode != Mode.FLUSH) {
            catalog.functions().forEach(f -> bindings.put(f.id(), f));
        }
        parsed.functions().forEach(f -> bindings.put(f.id(), f));
        Set<FunctionId> imported = parsed.functions().stream().map(FunctionDefinition::id).collect(Collectors.toSet());
        List<String> broken = new ArrayList<>();
        for (FunctionDefinition f : bindings.values()) {
            boolean importedBinding = imported.contains(f.id());
            if (!importedBinding && !resulting.containsKey(f.library())) {
                // An existing binding to a library the import leaves alone: not the import's business.
                continue;
            }
            if (importedBinding && catalog.lenientBindings()) {
                continue;
            }
            Optional<Library> library = Optional.ofNullable(resulting.get(f.library()))
                    .or(() -> mode == Mode.FLUSH ? Optional.empty() : catalog.findLibrary(f.library()));
            try {
                catalog.checkBinding(f, library);
            } catch (EngineException e) {
                broken.add(QualifiedName.of(f.id()) + ": " + e.getMessage());
            }
        }
        if (!broken.isEmpty()) {
            throw new EngineException(EngineException.Kind.IMPORT_INVALID, "These SQL++ functions would not resolve"
                    + " after the import; nothing was imported: " + String.join("; ", broken), List.of(),
                    "functions");
        }
        return counts;
    }

    private static LibraryId libraryId(JsonNode entry, String where) {
        String name = text(entry, "name", where);
        String bucket = text(entry, "bucket", where);
        String scope = text(entry, "scope", where);
        try {
            if (bucket.isEmpty() && scope.isEmpty()) {
                return LibraryId.global(name);
            }
            return new LibraryId(Namespace.scoped(bucket, scope), name);
        } catch (InvalidNameException e) {
            throw invalid(where + ": " + e.getMessage(), where);
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw invalid(where + "." + field + " must be a string", where);
        }
        return value.asText();
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw invalid(field + " must be an array", field);
        }
        return value;
    }

    private static JsonNode object(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(where + " must be an object", where);
        }
        return node;
    }

    private static EngineException invalid(String message, String where) {
        return new EngineException(EngineException.Kind.IMPORT_INVALID, message, List.of(), where);
    }

    private static EngineException collision(List<String> collisions) {
        return new EngineException(EngineException.Kind.IMPORT_COLLISION, "Import in append mode refused: "
                + collisions.size() + " name(s) exist already (" + String.join(", ", collisions.subList(0,
                Math.min(20, collisions.size()))) + (collisions.size() > 20 ? ", ..." : "")
                + "); use mode=replace or mode=flush", collisions, "");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
