package dev.evaluator.api;

import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque cursor of a page of the library list: the last library of the page, written as
 * {@code 1\nname\nbucket\nscope} (empty bucket and scope for global; names never hold a line break) in URL-safe
 * base64 without padding. A cursor that is not one is a 400, never a 500 and never a silent first page.
 */
final class ListCursor {
    private static final String VERSION = "1";

    private ListCursor() {
    }

    static String encode(LibraryId id) {
        String bucket = id.namespace() instanceof Namespace.Scoped s ? s.bucket() : "";
        String scope = id.namespace() instanceof Namespace.Scoped s ? s.scope() : "";
        String text = VERSION + "\n" + id.name() + "\n" + bucket + "\n" + scope;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws ApiException {@code bad_request} if the text is not a cursor this server wrote
     */
    static LibraryId decode(String cursor) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            String[] parts = text.split("\n", -1);
            if (parts.length != 4 || !parts[0].equals(VERSION)) {
                throw invalid();
            }
            Namespace namespace = parts[2].isEmpty() && parts[3].isEmpty() ? Namespace.GLOBAL
                    : Namespace.scoped(parts[2], parts[3]);
            return new LibraryId(namespace, parts[1]);
        } catch (IllegalArgumentException | CharacterCodingException e) {
            // Not base64, not UTF-8, or names the store refuses (InvalidNameException).
            throw invalid();
        }
    }

    private static ApiException invalid() {
        return new ApiException(ErrorCode.BAD_REQUEST, "cursor is not one this server gave: pass the 'next' of the"
                + " previous page as it was, or leave it out for the first page");
    }
}
