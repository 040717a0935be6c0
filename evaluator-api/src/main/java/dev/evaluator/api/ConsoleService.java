package dev.evaluator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;

/**
 * The admin console at {@code /ui/}: static files from this jar (HTML, CSS and JavaScript modules, no build step)
 * and the CodeMirror editor (with the diff-match-patch its merge addon needs) from their WebJars. Anyone may load
 * them ({@link AccessPolicy}); the console signs in and
 * calls the API with the user's credentials like any other client.
 * <p>
 * Every file is sent with {@code Cache-Control: no-cache}, so a browser revalidates (cheaply, by ETag or
 * Last-Modified) and never runs a stale console after an upgrade, and with a Content-Security-Policy that allows
 * only this server's own scripts, styles and API.
 */
final class ConsoleService implements HttpService {
    static final String PATH = "/ui";
    /** Where the console's own files are on the class path. */
    static final String LOCATION = "evaluator-console";
    private static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars.npm/%s/pom.properties";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Handler METHOD_NOT_ALLOWED = MethodNotAllowed.allowing("GET", "HEAD");

    @Override
    public void routing(HttpRules rules) {
        rules.any(this::prepare)
                .register("/vendor/codemirror", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                        .location("META-INF/resources/webjars/codemirror/" + webJarVersion("codemirror"))
                        .build()))
                .register("/vendor/diff-match-patch", StaticContentFeature.createService(ClasspathHandlerConfig
                        .builder()
                        .location("META-INF/resources/webjars/diff-match-patch/" + webJarVersion("diff-match-patch"))
                        .build()))
                .register("/", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                        .location(LOCATION)
                        .welcome("index.html")
                        .build()));
    }

    private void prepare(ServerRequest req, ServerResponse res) throws Exception {
        Method method = req.prologue().method();
        if (!method.equals(Method.GET) && !method.equals(Method.HEAD)) {
            METHOD_NOT_ALLOWED.handle(req, res);
            return;
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-cache")
                .header(HeaderNames.create("X-Content-Type-Options"), "nosniff")
                .header(HeaderNames.create("Content-Security-Policy"), CSP)
                .header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.next();
    }

    /** The version of a WebJar on the class path: its files live under a folder named after it. */
    private static String webJarVersion(String artifact) {
        String resource = WEBJAR_PROPERTIES.formatted(artifact);
        try (InputStream in = ConsoleService.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The " + artifact + " WebJar is missing from the class path ("
                        + resource + ")");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }
}
