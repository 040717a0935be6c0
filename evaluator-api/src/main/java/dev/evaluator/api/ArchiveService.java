package dev.evaluator.api;

import dev.evaluator.engine.AuditLog;
import dev.evaluator.engine.Caller;
import dev.evaluator.engine.LibraryArchive;
import dev.evaluator.engine.Permission;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Backups and moves between servers: {@code GET /evaluator/v1/export} streams every library (optionally with its
 * history) and SQL++ function, and with {@code users=true} the users with their password hashes (administrators,
 * over HTTPS or from this machine only); {@code POST /evaluator/v1/import?mode=append|replace|flush} checks a
 * document whole and applies it all or nothing (see {@link LibraryArchive}).
 */
final class ArchiveService implements HttpService {
    static final String EXPORT_PATH = "/evaluator/v1/export";
    static final String IMPORT_PATH = "/evaluator/v1/import";
    /** The largest import document accepted. */
    static final int MAX_IMPORT_BYTES = 512 << 20;

    private final LibraryArchive archive;
    private final AuditLog audit;

    ArchiveService(LibraryArchive archive, AuditLog audit) {
        this.archive = archive;
        this.audit = audit;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/export", this::export)
                .any("/export", MethodNotAllowed.allowing("GET"))
                .post("/import", this::importDocument)
                .any("/import", MethodNotAllowed.allowing("POST"));
    }

    private void export(ServerRequest req, ServerResponse res) {
        boolean users = LibraryService.flag(req, "users");
        if (users) {
            Caller caller = req.context().get(Caller.class).orElseThrow();
            if (!caller.may(Permission.ADMIN)) {
                throw new ApiException(ErrorCode.FORBIDDEN, "Forbidden: users=true exports password hashes and"
                        + " requires admin", ApiException.details("required", "admin"), Map.of());
            }
            if (!req.isSecure() && !loopback(req)) {
                throw new ApiException(ErrorCode.FORBIDDEN, "users=true exports password hashes: only over HTTPS"
                        + " or from this machine", ApiException.details("required", "admin"), Map.of());
            }
        }
        LibraryArchive.ExportOptions options = new LibraryArchive.ExportOptions(LibraryService.namespace(req),
                LibraryService.flag(req, "history"), users);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try (OutputStream out = res.outputStream()) {
            archive.export(options, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean loopback(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress address && address.getAddress() != null
                && address.getAddress().isLoopbackAddress();
    }

    private void importDocument(ServerRequest req, ServerResponse res) {
        LibraryArchive.Imported done = LibraryEdits.audited(audit, req, "import",
                req.query().contains("mode") ? req.query().get("mode") : "append", () -> {
                    LibraryArchive.Mode mode = LibraryArchive.Mode.parse(req.query().contains("mode")
                            ? req.query().get("mode") : "append");
                    // No reference kept here: the import drops the document once it has read it.
                    return archive.importDocument(RequestBody.utf8(req, MAX_IMPORT_BYTES), mode,
                            LibraryEdits.user(req), LibraryEdits.client(req));
                });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "OK");
        body.put("mode", done.mode().text());
        body.put("libraries", done.libraries());
        body.put("versions", done.versions());
        body.put("restored", done.restored());
        body.put("renumbered", done.renumbered());
        body.put("functions", done.functions());
        body.put("users", done.users());
        Json.ok(res, body);
    }
}
