package dev.evaluator.api;

import io.helidon.common.uri.UriEncoding;
import io.helidon.webserver.http.ServerRequest;

/**
 * The segments of a request's path after a route's fixed prefix, each decoded once, whole. The web server's path
 * parameters drop what follows a {@code ;} in a segment (it reads it as a matrix parameter), so
 * {@code /libraries/lib;name} would name library {@code lib}: handlers take names from here instead, so that such a
 * segment is the invalid name it is, never another one.
 */
final class PathSegments {
    private PathSegments() {
    }

    /**
     * A segment of the path after {@code prefix}, decoded.
     *
     * @param prefix the route's fixed part, e.g. {@code /evaluator/v1/libraries}
     * @param index  which segment after it, from 0
     * @return the decoded segment, matrix parameters and all; empty when the path has no such segment
     * @throws ApiException {@code bad_request} when the segment's percent-encoding is broken
     */
    static String after(ServerRequest req, String prefix, int index) {
        String raw = req.path().absolute().rawPath();
        if (!raw.startsWith(prefix + "/")) {
            return "";
        }
        String[] segments = raw.substring(prefix.length() + 1).split("/", -1);
        if (index >= segments.length) {
            return "";
        }
        try {
            return UriEncoding.decodeUri(segments[index]);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "The path's percent-encoding is broken");
        }
    }
}
