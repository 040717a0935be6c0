/**
 * The JavaScript runtime over GraalJS: one shared engine, sandboxed contexts (no host, file, network, process,
 * environment or thread access), execution slots and the watchdog that enforces each call's limits, and acorn
 * introspection of a library's functions without running it. {@code JsRuntime} is the API; the runtime asks for a
 * library's code through {@code LibrarySource} and never sees the store.
 * <p>
 * May depend on GraalJS (polyglot) only: never on the store, Helidon, HTTP or Jackson.
 */
package dev.evaluator.runtime;
