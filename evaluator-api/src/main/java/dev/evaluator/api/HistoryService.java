package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.LibraryVersion;
import dev.evaluator.store.Namespace;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Library history over HTTP, beside Couchbase's library routes (registered at {@value #PATH}): a library's versions,
 * one version, the diff of two, rollback, and the histories of deleted libraries.
 */
final class HistoryService implements HttpService {
    static final String PATH = "/evaluator/v1";
    static final String HISTORY_PATH = PATH + "/history";
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_BODY_BYTES = 4096;
    private static final String DIFF_TYPE = "text/x-diff";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final LibraryHistory history;
    private final AuditLog audit;

    HistoryService(LibraryHistory history, AuditLog audit) {
        this.history = history;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/libraries/{library}/versions"),
                        this::versions)
                .any("/libraries/{library}/versions", MethodNotAllowed.allowing("GET", "HEAD"))
                .route(Method.predicate(Method.GET, Method.HEAD),
                        PathMatchers.create("/libraries/{library}/versions/{version}"), this::version)
                .any("/libraries/{library}/versions/{version}", MethodNotAllowed.allowing("GET", "HEAD"))
                .route(Method.predicate(Method.GET, Method.HEAD),
                        PathMatchers.create("/libraries/{library}/versions/{from}/diff/{to}"), this::diff)
                .any("/libraries/{library}/versions/{from}/diff/{to}", MethodNotAllowed.allowing("GET", "HEAD"))
                .post("/libraries/{library}/rollback", this::rollback)
                .any("/libraries/{library}/rollback", MethodNotAllowed.allowing("POST"))
                .route(Method.predicate(Method.GET, Method.HEAD), PathMatchers.create("/history"), this::histories)
                .any("/history", MethodNotAllowed.allowing("GET", "HEAD"));
    }

    /** A version's metadata as the API shows it. */
    record VersionView(long version, String created, String user, String sha256, int size, String message) {
        static VersionView of(LibraryVersion v) {
            return new VersionView(v.number(), v.created().toString(), v.user(), v.sha256(), v.size(), v.message());
        }
    }

    private void versions(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        int limit = Cursors.limit(req, DEFAULT_PAGE, LibraryHistory.MAX_PAGE);
        long below = Cursors.position(req, "v");
        List<LibraryVersion> page = history.versions(id, below, limit);
        Map<String, Object> body = library(id);
        body.put("versions", page.stream().map(VersionView::of).toList());
        if (page.size() == limit && page.getLast().number() > 1) {
            body.put("nextCursor", Cursors.cursor("v", page.getLast().number()));
        }
        Json.ok(res, body);
    }

    private void version(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        LibraryHistory.VersionCode found = history.version(id, number(PathSegments.after(req,
                EvaluatorServer.LIBRARIES_PATH, 2)));
        Map<String, Object> body = library(id);
        VersionView view = VersionView.of(found.version());
        body.put("version", view.version());
        body.put("created", view.created());
        body.put("user", view.user());
        body.put("sha256", view.sha256());
        body.put("size", view.size());
        body.put("message", view.message());
        body.put("code", found.code());
        Json.ok(res, body);
    }

    private void diff(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        long from = number(PathSegments.after(req, EvaluatorServer.LIBRARIES_PATH, 2));
        long to = number(PathSegments.after(req, EvaluatorServer.LIBRARIES_PATH, 4));
        LibraryHistory.Diff diff = history.diff(id, from, to);
        if (wantsJson(req)) {
            Map<String, Object> body = library(id);
            body.put("from", VersionView.of(diff.from()));
            body.put("to", VersionView.of(diff.to()));
            body.put("hunks", diff.hunks());
            Json.ok(res, body);
            return;
        }
        if (diff.unified().isEmpty()) {
            // The same code: no diff to show.
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, DIFF_TYPE + "; charset=UTF-8")
                .send(diff.unified().getBytes(StandardCharsets.UTF_8));
    }

    /** JSON when the client's Accept prefers it to a diff; the diff text otherwise (also for no Accept). */
    private static boolean wantsJson(ServerRequest req) {
        List<HttpMediaType> accepted = req.headers().acceptedTypes();
        for (HttpMediaType type : accepted) {
            String text = type.mediaType().text().toLowerCase(Locale.ROOT);
            if (text.equals("application/json")) {
                return true;
            }
            if (text.equals(DIFF_TYPE) || text.equals("text/*") || text.equals("*/*") || text.equals("text/plain")) {
                return false;
            }
        }
        return false;
    }

    private void rollback(ServerRequest req, ServerResponse res) {
        LibraryId id = libraryId(req);
        LibraryHistory.Edit edit = LibraryEdits.edit(req, false);
        boolean force = LibraryService.flag(req, "force");
        long version = rollbackVersion(RequestBody.text(req, MAX_BODY_BYTES));
        LibraryHistory.Written written = LibraryEdits.audited(audit, req, "library.rollback",
                LibraryHistory.target(id), () -> history.rollback(id, version, force, edit));
        LibraryEdits.written(res, written);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "OK");
        body.put("version", written.version().orElseThrow().number());
        body.put("created", written.created());
        body.put("etag", written.etag());
        Json.ok(res, body);
    }

    private static long rollbackVersion(String text) {
        JsonNode body;
        try {
            body = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The body is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode version = body == null ? null : body.get("version");
        if (version == null || !version.canConvertToExactIntegral() || !version.canConvertToLong()
                || version.asLong() < 1) {
            throw new ApiException(ErrorCode.INVALID_BODY, "The body must be {\"version\": n}, n the number of the"
                    + " version to restore (1 or more)");
        }
        return version.asLong();
    }

    /** A library's history as the history list shows it. */
    record HistoryView(String name, String bucket, String scope, boolean deleted, VersionView latest) {
    }

    private void histories(ServerRequest req, ServerResponse res) {
        boolean deletedOnly = LibraryService.flag(req, "deleted");
        List<HistoryView> found = history.histories(deletedOnly, LibraryService.namespace(req)).stream()
                .map(h -> new HistoryView(h.library().name(), bucket(h.library()), scope(h.library()), h.deleted(),
                        VersionView.of(h.latest())))
                .toList();
        Json.ok(res, Map.of("histories", found));
    }

    private static Map<String, Object> library(LibraryId id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", id.name());
        body.put("bucket", bucket(id));
        body.put("scope", scope(id));
        return body;
    }

    private static String bucket(LibraryId id) {
        return id.namespace() instanceof Namespace.Scoped s ? s.bucket() : "";
    }

    private static String scope(LibraryId id) {
        return id.namespace() instanceof Namespace.Scoped s ? s.scope() : "";
    }

    private static LibraryId libraryId(ServerRequest req) {
        String name = PathSegments.after(req, EvaluatorServer.LIBRARIES_PATH, 0);
        return new LibraryId(LibraryService.namespace(req).orElse(Namespace.GLOBAL), name);
    }

    private static long number(String text) {
        try {
            long n = Long.parseLong(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new ApiException(ErrorCode.BAD_REQUEST, "A version is a number from 1, not '" + text + "'");
    }

    /** Opaque page cursors: a kind and a position, base64url. */
    static final class Cursors {
        private Cursors() {
        }

        static String cursor(String kind, long position) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + ":" + position)
                    .getBytes(StandardCharsets.UTF_8));
        }

        /** The position a request's {@code cursor} continues below; {@link Long#MAX_VALUE} without one. */
        static long position(ServerRequest req, String kind) {
            if (!req.query().contains("cursor")) {
                return Long.MAX_VALUE;
            }
            String cursor = req.query().get("cursor");
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                if (text.startsWith(kind + ":")) {
                    long position = Long.parseLong(text.substring(kind.length() + 1));
                    if (position > 0) {
                        return position;
                    }
                }
            } catch (IllegalArgumentException e) {
                // Answered below (NumberFormatException is one).
            }
            throw new ApiException(ErrorCode.BAD_REQUEST, "cursor is not one this list gave: pass the nextCursor of"
                    + " the previous page as it was");
        }

        static int limit(ServerRequest req, int absent, int max) {
            if (!req.query().contains("limit")) {
                return absent;
            }
            String text = req.query().get("limit");
            try {
                int limit = Integer.parseInt(text);
                if (limit >= 1 && limit <= max) {
                    return limit;
                }
            } catch (NumberFormatException e) {
                // Answered below.
            }
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be a number from 1 to " + max + ", not '"
                    + text + "'");
        }
    }
}
