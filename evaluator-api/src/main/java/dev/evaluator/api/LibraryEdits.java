package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.Caller;
import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.store.Library;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The HTTP side of library changes: who asks (the caller and the client's address), the version message
 * ({@code X-Evaluator-Message} or {@code ?message=}), the conditions ({@code If-Match}, {@code If-None-Match}), the
 * {@code ETag} of a read and its 304, and the audit record of a change that failed. A request without these headers
 * behaves exactly as Couchbase's.
 */
final class LibraryEdits {
    static final HeaderName MESSAGE = HeaderNames.create("X-Evaluator-Message");
    static final HeaderName VERSION = HeaderNames.create("X-Evaluator-Version");
    private static final int MAX_MESSAGE_CHARS = 1000;

    private LibraryEdits() {
    }

    /**
     * The edit a change request asks for.
     *
     * @param create whether the request may create the library (POST), so {@code If-None-Match: *} applies
     * @throws ApiException {@code BAD_REQUEST} for conditions that cannot be read or do not apply
     */
    static LibraryHistory.Edit edit(ServerRequest req, boolean create) {
        Optional<String> ifMatch = req.headers().first(HeaderNames.IF_MATCH);
        Optional<String> ifNoneMatch = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (ifMatch.isPresent() && ifNoneMatch.isPresent()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "Give If-Match or If-None-Match, not both");
        }
        LibraryHistory.Precondition precondition = LibraryHistory.Precondition.NONE;
        if (ifMatch.isPresent()) {
            precondition = new LibraryHistory.Precondition.IfMatch(etags("If-Match", ifMatch.get()));
        } else if (ifNoneMatch.isPresent()) {
            if (!create || !ifNoneMatch.get().trim().equals("*")) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "If-None-Match on a change can only be * on POST"
                        + " (create only, 412 if the library exists)");
            }
            precondition = new LibraryHistory.Precondition.IfAbsent();
        }
        return new LibraryHistory.Edit(user(req), client(req), message(req), precondition);
    }

    private static String message(ServerRequest req) {
        Optional<String> header = req.headers().first(MESSAGE);
        Optional<String> query = req.query().contains("message") ? Optional.of(req.query().get("message"))
                : Optional.empty();
        if (header.isPresent() && query.isPresent()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "Give the message once: X-Evaluator-Message or ?message=");
        }
        String message = header.or(() -> query).orElse("").strip();
        if (message.length() > MAX_MESSAGE_CHARS) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "The version message is longer than " + MAX_MESSAGE_CHARS
                    + " characters");
        }
        return message;
    }

    /**
     * The entity tags of an {@code If-Match} or {@code If-None-Match} header: {@code *}, or a comma-separated list
     * of {@code "..."} and {@code W/"..."} (weak tags never match: these conditions compare strongly).
     */
    static List<String> etags(String name, String header) {
        String text = header.trim();
        if (text.equals("*")) {
            return List.of("*");
        }
        List<String> tags = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            boolean weak = text.startsWith("W/", i);
            int open = weak ? i + 2 : i;
            int close = open < text.length() && text.charAt(open) == '"' ? text.indexOf('"', open + 1) : -1;
            if (close < 0) {
                throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be * or entity tags such as"
                        + " \"<sha256>\", comma-separated");
            }
            if (!weak) {
                tags.add(text.substring(open, close + 1));
            }
            i = close + 1;
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i < text.length()) {
                if (text.charAt(i) != ',') {
                    throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be * or entity tags such as"
                            + " \"<sha256>\", comma-separated");
                }
                i++;
                while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                    i++;
                }
            }
        }
        return tags;
    }

    static String user(ServerRequest req) {
        return req.context().get(Caller.class).map(Caller::name).orElse("");
    }

    static String client(ServerRequest req) {
        return req.remotePeer().host();
    }

    /**
     * Answer a read of a library: its ETag, and 304 without a body when {@code If-None-Match} names it.
     *
     * @return true when the 304 was sent
     */
    static boolean notModified(ServerRequest req, ServerResponse res, Library library) {
        String etag = LibraryHistory.etag(library);
        res.header(HeaderNames.ETAG, etag);
        Optional<String> ifNoneMatch = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch.isEmpty()) {
            return false;
        }
        // If-None-Match compares weakly: W/"x" matches "x".
        List<String> tags = etagsWeak(ifNoneMatch.get());
        if (tags.contains("*") || tags.contains(etag)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return true;
        }
        return false;
    }

    private static List<String> etagsWeak(String header) {
        List<String> tags = new ArrayList<>();
        for (String part : header.split(",")) {
            String tag = part.trim();
            tags.add(tag.startsWith("W/") ? tag.substring(2) : tag);
        }
        return tags;
    }

    /** Headers of a successful write: the library's ETag, and its version. */
    static void written(ServerResponse res, LibraryHistory.Written written) {
        res.header(HeaderNames.ETAG, written.etag());
        written.version().ifPresent(v -> res.header(VERSION, String.valueOf(v.number())));
    }

    /**
     * Run a change, and append its audit record when it fails (a success writes its own, in its transaction).
     *
     * @param action what is asked, e.g. {@code library.replace}
     * @param target what it is asked of
     */
    static <T> T audited(AuditLog audit, ServerRequest req, String action, String target, Supplier<T> change) {
        return audited(audit, req, () -> action, target, change);
    }

    /**
     * Run a change, and append its audit record when it fails, naming the action only then: a failed change
     * changed nothing, so what it was asked of is as it was before (a lookup that every successful write would
     * otherwise pay for). When the action cannot be named (the store failed), the change's failure is thrown
     * unaudited, as the audit record could not be written either.
     *
     * @param action names what was asked, e.g. {@code library.replace}
     * @param target what it is asked of
     */
    static <T> T audited(AuditLog audit, ServerRequest req, Supplier<String> action, String target,
                         Supplier<T> change) {
        try {
            return change.get();
        } catch (RuntimeException e) {
            String named;
            try {
                named = action.get();
            } catch (RuntimeException lookup) {
                e.addSuppressed(lookup);
                throw e;
            }
            audit.record(user(req), client(req), named, target, ErrorMapper.outcome(e), OptionalLong.empty(), "");
            throw e;
        }
    }
}
