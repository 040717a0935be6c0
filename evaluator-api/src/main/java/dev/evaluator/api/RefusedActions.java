package dev.evaluator.api;

import dev.evaluator.engine.LibraryHistory;
import dev.evaluator.store.InvalidNameException;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.util.Optional;

import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;

/**
 * The management action a request asks for, as the audit trail names it, for requests refused before any handler
 * ran (403 for permission). Reads are not management actions. A refused library write is {@code library.write}: the
 * request does not say whether it would have created or replaced.
 */
final class RefusedActions {
    /**
     * An action and its target.
     *
     * @param action e.g. {@code library.delete}
     * @param target e.g. {@code travel-sample/inventory/math}
     */
    record Action(String action, String target) {
    }

    private RefusedActions() {
    }

    static Optional<Action> of(Optional<AccessPolicy.Rule> rule, ServerRequest req) {
        if (rule.isEmpty()) {
            return Optional.empty();
        }
        String path = rule.get().path();
        Method method = req.prologue().method();
        String library = EvaluatorServer.LIBRARIES_PATH + "/{library}";
        if (path.equals(library) && method.equals(Method.POST)) {
            return libraryAction(req, "library.write");
        }
        if (path.equals(library) && method.equals(Method.DELETE)) {
            return libraryAction(req, LibraryService.flag(req, "purge") ? "library.purge" : "library.delete");
        }
        if (path.equals(library + "/rollback") && method.equals(Method.POST)) {
            return libraryAction(req, "library.rollback");
        }
        if (path.equals(ArchiveService.IMPORT_PATH) && method.equals(Method.POST)) {
            return Optional.of(new Action("import", req.query().contains("mode") ? req.query().get("mode")
                    : "append"));
        }
        String user = UserService.PATH + "/local/{name}";
        if (path.equals(user) && (method.equals(Method.PUT) || method.equals(Method.DELETE))) {
            return Optional.of(new Action(method.equals(Method.PUT) ? "user.write" : "user.delete",
                    PathSegments.after(req, UserService.PATH + "/local", 0)));
        }
        return Optional.empty();
    }

    private static Optional<Action> libraryAction(ServerRequest req, String action) {
        String name = PathSegments.after(req, EvaluatorServer.LIBRARIES_PATH, 0);
        Namespace namespace = LibraryService.namespace(req).orElse(Namespace.GLOBAL);
        try {
            return Optional.of(new Action(action, LibraryHistory.target(new LibraryId(namespace, name))));
        } catch (InvalidNameException e) {
            // A name that breaks its rule names no library; the bad request is answered as such.
            return Optional.of(new Action(action, name));
        }
    }
}
