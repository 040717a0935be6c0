package dev.evaluator.store;

import java.util.regex.Pattern;

/**
 * Where a library lives: the global namespace, or one scope of one bucket.
 */
public sealed interface Namespace permits Namespace.Global, Namespace.Scoped {
    /** The global namespace. */
    Global GLOBAL = new Global();

    /**
     * The scoped namespace for a bucket and a scope.
     *
     * @param bucket the bucket name
     * @param scope  the scope name
     * @return the namespace
     * @throws InvalidNameException if either name breaks its rule
     */
    static Scoped scoped(String bucket, String scope) {
        return new Scoped(bucket, scope);
    }

    /**
     * The global namespace, shared by all buckets.
     */
    record Global() implements Namespace {
        @Override
        public String toString() {
            return "global";
        }
    }

    /**
     * One scope of one bucket.
     *
     * @param bucket 1 to 251 characters of {@code [A-Za-z0-9_%.-]}, not starting with {@code _}, {@code %} or
     *               {@code .} (Couchbase rejects a leading dot too)
     * @param scope  1 to 251 characters of {@code [A-Za-z0-9_%-]}, not starting with {@code _} or {@code %},
     *               except Couchbase's {@code _default} scope
     */
    record Scoped(String bucket, String scope) implements Namespace {
        private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9-][A-Za-z0-9_.%-]*");
        private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9-][A-Za-z0-9_%-]*");
        private static final int MAX_LENGTH = 251;
        /** Couchbase's default scope, the one scope name allowed to start with an underscore. */
        public static final String DEFAULT_SCOPE = "_default";

        /**
         * Validate both names.
         *
         * @throws InvalidNameException if either name breaks its rule
         */
        public Scoped {
            validateBucket(bucket);
            validateScope(scope);
        }

        /**
         * Check a bucket name.
         *
         * @param bucket the name
         * @throws InvalidNameException if it breaks the rule
         */
        public static void validateBucket(String bucket) {
            if (bucket == null || bucket.length() > MAX_LENGTH || !BUCKET.matcher(bucket).matches()) {
                throw new InvalidNameException("bucket",
                        "a bucket name is 1 to 251 characters of letters, digits, '_', '-', '.' and '%',"
                                + " and does not start with '_', '%' or '.'");
            }
        }

        /**
         * Check a scope name.
         *
         * @param scope the name
         * @throws InvalidNameException if it breaks the rule
         */
        public static void validateScope(String scope) {
            if (scope == null || scope.length() > MAX_LENGTH
                    || !(scope.equals(DEFAULT_SCOPE) || SCOPE.matcher(scope).matches())) {
                throw new InvalidNameException("scope",
                        "a scope name is 1 to 251 characters of letters, digits, '_', '-' and '%',"
                                + " and does not start with '_' or '%' (except '_default')");
            }
        }

        @Override
        public String toString() {
            return bucket + "." + scope;
        }
    }
}
