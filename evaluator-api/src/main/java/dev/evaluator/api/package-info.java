/**
 * The HTTP adapter (Helidon 4 SE): the services of each route, the security filter and its route table
 * ({@code AccessPolicy}), request bodies, the one error mapper ({@code ErrorMapper}, which alone turns engine kinds
 * and HTTP-level errors into statuses and JSON shapes), boot ({@code Main}, {@code EvaluatorServer}), settings, TLS,
 * metrics, the access log, health checks and the admin console's static files.
 * <p>
 * May depend on everything below it ({@code dev.evaluator.engine}, {@code .store}, {@code .runtime},
 * {@code .query}), Helidon, Jackson, Caffeine and Micrometer. Holds no domain rule: a rule about libraries,
 * functions, statements, users or roles belongs in the engine.
 */
package dev.evaluator.api;
