package dev.evaluator.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * What every request must pass before authentication, right after {@link RequestObserver}: its id, its connection's
 * place under the cap, its framing, its path and, for a browser's unsafe request, its origin.
 * <ul>
 *   <li><b>Request id.</b> Each request gets an id ({@code X-Request-Id}: the client's, if it sent a short one of
 *   letters, digits, {@code .}, {@code _} and {@code -}; otherwise 16 random hex digits), answered in the same header
 *   and written to the access log and to the log line of any internal error.</li>
 *   <li><b>Connection cap.</b> A request on a connection beyond the listener's cap ({@link ConnectionGate}) is
 *   answered {@code 503 too_many_connections} with {@code Retry-After: 1}, and its connection closed.</li>
 *   <li><b>Framing</b> (RFC 9112 section 6.3): a request with both {@code Content-Length} and
 *   {@code Transfer-Encoding}, more than one {@code Content-Length} (or a list in one), a length that is not
 *   digits only, or a transfer coding other than exactly {@code chunked} is a 400 that closes the connection
 *   before its body is read, so nothing of it is stored and nothing after it on the connection is answered.</li>
 *   <li><b>Path.</b> The path is decoded once, by the web server; a decoded path with a control character, a
 *   backslash or a percent sign (an encoding encoded twice) is a 400, and no route sees it.</li>
 *   <li><b>Cross-site writes.</b> A browser that holds a user's Basic credentials sends them with any request to
 *   the server, also from another site's page (a form posting {@code text/plain}). A request other than GET, HEAD
 *   and OPTIONS whose {@code Sec-Fetch-Site} is not {@code same-origin} or {@code none}, or, without that header,
 *   whose {@code Origin} is not the server's own (its scheme, host and port against the request's {@code Host}), is
 *   a 403 {@code cross_site_request}. curl and other non-browser clients send neither header and are not
 *   affected; the admin console is same-origin.</li>
 *   <li><b>Connection: close.</b> A request that asks for it has its connection closed once it is answered (Helidon
 *   4.3 only says so in the answer and keeps the socket).</li>
 * </ul>
 */
final class RequestGuard implements Filter {
    static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    private static final HeaderName SEC_FETCH_SITE = HeaderNames.create("Sec-Fetch-Site");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    /** A request's id, in its context. */
    record RequestId(String value) {
        @Override
        public String toString() {
            return value;
        }
    }

    private final ErrorMapper errors;

    /**
     * @param errors answers a refusal of a later filter when the connection is to be closed after it
     */
    RequestGuard(ErrorMapper errors) {
        this.errors = errors;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        RequestId id = new RequestId(req.headers().first(REQUEST_ID).filter(v -> CLIENT_ID.matcher(v).matches())
                .orElseGet(RequestGuard::newId));
        req.context().register(id);
        res.header(REQUEST_ID, id.value());
        if (ConnectionGate.refusing()) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            throw answerAndClose(res, Status.SERVICE_UNAVAILABLE_503, ErrorCode.TOO_MANY_CONNECTIONS,
                    "The server holds as many connections as it may (--max-connections); this one is closed."
                            + " Retry later, or reuse a connection (keep-alive)");
        }
        checkFraming(req, res);
        // Helidon 4.3 answers a request that asks to close with "Connection: close" and then waits on the socket for
        // another request until the idle timeout (helidon-io/helidon#12324): a client that reads to the end of the
        // stream hangs, and the connection counts against --max-connections meanwhile. Once the answer is out, close.
        // A refusal (400 here, 401, 403, 429 in a later filter) would be answered outside every filter, too late to
        // close here: for such a request it is answered here, as the error handler answers it.
        boolean close = asksToClose(req);
        try {
            checkPath(req);
            checkOrigin(req);
            chain.proceed();
        } catch (ApiException e) {
            if (!close || res.isSent()) {
                throw e;
            }
            errors.handle(req, res, e);
        }
        if (close && res.isSent()) {
            throw new CloseConnectionException("the client asked to close the connection");
        }
    }

    /** Whether the request's {@code Connection} header has the {@code close} option (RFC 9110 section 7.6.1). */
    private static boolean asksToClose(RoutingRequest req) {
        if (!req.headers().contains(HeaderNames.CONNECTION)) {
            return false;
        }
        for (String value : req.headers().get(HeaderNames.CONNECTION).allValues(true)) {
            if (value.trim().equalsIgnoreCase("close")) {
                return true;
            }
        }
        return false;
    }

    /** The id of a request, or {@code -} if it has none (it never reached this filter). */
    static String idOf(io.helidon.webserver.http.ServerRequest req) {
        return req.context().get(RequestId.class).map(RequestId::value).orElse("-");
    }

    private static String newId() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static void checkFraming(RoutingRequest req, RoutingResponse res) {
        List<String> lengths = req.headers().all(HeaderNames.CONTENT_LENGTH, List::of);
        List<String> codings = req.headers().all(HeaderNames.TRANSFER_ENCODING, List::of);
        if (!lengths.isEmpty() && !codings.isEmpty()) {
            throw badFraming(res, "a request may not have both Content-Length and Transfer-Encoding");
        }
        if (lengths.size() > 1) {
            throw badFraming(res, "a request may have one Content-Length, it has " + lengths.size());
        }
        if (lengths.size() == 1 && !DIGITS.matcher(lengths.getFirst()).matches()) {
            throw badFraming(res, "Content-Length must be a number of bytes (digits only)");
        }
        if (codings.size() > 1 || codings.size() == 1 && !codings.getFirst().trim().equalsIgnoreCase("chunked")) {
            throw badFraming(res, "the only Transfer-Encoding accepted is chunked");
        }
    }

    private static CloseConnectionException badFraming(RoutingResponse res, String why) {
        return answerAndClose(res, Status.BAD_REQUEST_400, ErrorCode.BAD_REQUEST,
                "The request is not framed correctly: " + why + " (RFC 9112 section 6.3)");
    }

    /**
     * Answer and close the connection: the web server then neither reads the body nor takes what follows it for
     * the next request (a response header {@code Connection: close} alone does not stop it reading on).
     */
    private static CloseConnectionException answerAndClose(RoutingResponse res, Status status, ErrorCode code,
                                                           String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("code", code.code());
        body.put("message", message);
        res.status(status)
                .header(HeaderValues.CONNECTION_CLOSE)
                .header(HeaderNames.CONTENT_TYPE, HttpMediaTypes.JSON_UTF_8.text())
                .send(Json.text(body));
        return new CloseConnectionException(message);
    }

    private static void checkPath(RoutingRequest req) {
        String path = req.path().absolute().path();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\' || c == '%') {
                throw new ApiException(ErrorCode.BAD_REQUEST, "The request path may not contain control characters,"
                        + " backslashes or percent signs once decoded");
            }
        }
    }

    private static void checkOrigin(RoutingRequest req) {
        Method method = req.prologue().method();
        if (method == Method.GET || method == Method.HEAD || method == Method.OPTIONS) {
            return;
        }
        Optional<String> site = req.headers().first(SEC_FETCH_SITE);
        if (site.isPresent()) {
            String value = site.get().trim().toLowerCase(Locale.ROOT);
            if (!value.equals("same-origin") && !value.equals("none")) {
                throw crossSite("it came from a " + value + " page (Sec-Fetch-Site)");
            }
            return;
        }
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isPresent() && !sameOrigin(origin.get(), req)) {
            throw crossSite("its Origin is not this server's");
        }
    }

    private static boolean sameOrigin(String origin, RoutingRequest req) {
        Optional<String> host = req.headers().first(HeaderNames.HOST);
        if (host.isEmpty()) {
            return false;
        }
        try {
            URI uri = new URI(origin.trim());
            String scheme = req.isSecure() ? "https" : "http";
            if (uri.getHost() == null || !scheme.equalsIgnoreCase(uri.getScheme())) {
                return false;
            }
            int port = uri.getPort() == -1 ? (req.isSecure() ? 443 : 80) : uri.getPort();
            URI self = new URI(scheme + "://" + host.get().trim());
            int selfPort = self.getPort() == -1 ? (req.isSecure() ? 443 : 80) : self.getPort();
            return uri.getHost().equalsIgnoreCase(self.getHost()) && port == selfPort;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static ApiException crossSite(String why) {
        return new ApiException(ErrorCode.CROSS_SITE_REQUEST, "Cross-site request refused: " + why
                + "; send it from the server's own pages, or from a client that is not a browser");
    }
}
