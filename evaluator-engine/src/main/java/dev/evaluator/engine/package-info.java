/**
 * The domain: the function catalog and its delete guard ({@code FunctionCatalog}), SQL++ statement execution
 * ({@code StatementRunner}) and the {@code system:} keyspaces ({@code SystemKeyspaces}), calling library functions
 * within limits and counting their statistics ({@code FunctionExecutor}, {@code FunctionStats}), users and password
 * hashing ({@code UserAccounts}, {@code PasswordHasher}, {@code LoginThrottle}, {@code AdminBootstrap}), roles and
 * the namespace-level permission checks ({@code Role.allows}, {@code NamespaceAccess}), and the one rule for
 * writing SQL++ names ({@code QualifiedName}). Every refusal is an {@code EngineException} of a closed kind.
 * <p>
 * Also the library lifecycle ({@code LibraryHistory}: versions, diffs, rollback, preconditions) and the audit trail
 * ({@code AuditLog}).
 * <p>
 * May depend on {@code dev.evaluator.store}, {@code .runtime} and {@code .query}, Jackson, Caffeine and
 * java-diff-utils; never on
 * Helidon or anything of HTTP (no paths, no statuses).
 */
package dev.evaluator.engine;
