package dev.evaluator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads request bodies as strict UTF-8 text, never more than a limit.
 */
final class RequestBody {
    private RequestBody() {
    }

    /**
     * The body as text.
     *
     * @param maxBytes the largest body accepted
     * @throws ApiException {@code payload_too_large} over the limit (declared or actual), {@code invalid_utf8}
     */
    static String text(ServerRequest req, int maxBytes) {
        byte[] bytes = bytes(req, maxBytes);
        try {
            return decoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(ErrorCode.INVALID_UTF8, "The request body must be valid UTF-8 text");
        }
    }

    /**
     * The body's bytes, checked to be UTF-8 text without decoding it whole (for large bodies read by a streaming
     * parser: no second copy as a string).
     *
     * @param maxBytes the largest body accepted
     * @throws ApiException {@code payload_too_large} over the limit (declared or actual), {@code invalid_utf8}
     */
    static byte[] utf8(ServerRequest req, int maxBytes) {
        byte[] bytes = bytes(req, maxBytes);
        CharsetDecoder decoder = decoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw new ApiException(ErrorCode.INVALID_UTF8, "The request body must be valid UTF-8 text");
            }
            out.clear();
            if (result.isUnderflow()) {
                return bytes;
            }
        }
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static byte[] bytes(ServerRequest req, int maxBytes) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            // A declared length is read exactly (no large buffer for a small body); else read up to the limit + 1.
            bytes = in.readNBytes(declared >= 0 ? (int) declared : maxBytes + 1);
        } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException e) {
            // The client left, or was too slow and its connection was dropped (ReadTimeouts): nobody to answer.
            throw new CloseConnectionException("the request body could not be read", e);
        } finally {
            ReadTimeouts.bodyRead();
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return bytes;
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                "The request body is larger than the limit of " + maxBytes + " bytes",
                ApiException.details("limit", maxBytes), java.util.Map.of());
    }
}
