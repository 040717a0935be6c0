/**
 * The SQL++ subset the service runs: a hand-written lexer and recursive-descent parser producing immutable
 * statement and expression records, Couchbase's reserved words, and the one rule for writing names back as SQL++
 * text (back-quoted where needed, so that what is written parses back to the same name).
 * <p>
 * Depends on nothing but the JDK.
 */
package dev.evaluator.query;
