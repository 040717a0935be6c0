package dev.evaluator.api;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes JSON response bodies. One mapper for the whole server.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final String APPLICATION_JSON = "application/json";

    private Json() {
    }

    static void send(ServerResponse res, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Response body cannot be written as JSON", e);
        }
        res.status(Status.create(status))
                .header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON)
                .send(bytes);
    }

    static void ok(ServerResponse res, Object body) {
        send(res, 200, body);
    }

    /** A 200 whose body is already JSON text (named apart: {@link #ok} writes a String as a JSON string). */
    static void okJsonText(ServerResponse res, CharSequence json) {
        res.status(Status.OK_200)
                .header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON)
                .send(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Couchbase's success body, byte for byte (with its space): clients of its library API compare it. */
    private static final byte[] COUCHBASE_OK = "{\"status\": \"OK\"}".getBytes(StandardCharsets.UTF_8);

    /** A 200 with Couchbase's success body, {@code {"status": "OK"}}. */
    static void okCouchbase(ServerResponse res) {
        res.status(Status.OK_200)
                .header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON)
                .send(COUCHBASE_OK);
    }

    /** A value as JSON text, to embed in a body written by hand. */
    static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A value cannot be written as JSON", e);
        }
    }
}
