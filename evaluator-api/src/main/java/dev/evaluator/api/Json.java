package dev.evaluator.api;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes JSON response bodies. One mapper for the whole server.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    /** Writes one element of a streamed array; the buffer, not each element, decides when bytes go out. */
    private static final ObjectWriter ELEMENT = MAPPER.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
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

    /**
     * A 200 whose body is a JSON array written as its elements come, so that a long list is never held whole: the
     * elements are written in chunks of the response (chunked transfer). A failure after the first chunk cannot
     * become an error status any more; the connection is then closed, so the client sees a cut answer, never a
     * complete-looking one.
     *
     * @param elements given a sink, hands every element to it
     */
    static void okArray(ServerResponse res, Consumer<Consumer<Object>> elements) {
        res.status(Status.OK_200).header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON);
        try (OutputStream out = res.outputStream();
             JsonGenerator json = MAPPER.createGenerator(new BufferedOutputStream(out, 64 * 1024))) {
            json.writeStartArray();
            elements.accept(element -> {
                try {
                    ELEMENT.writeValue(json, element);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing a JSON array failed", e);
        }
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
