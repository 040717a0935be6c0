/**
 * The store's API: validated value records ({@code LibraryId}, the sealed {@code Namespace}, {@code FunctionId},
 * {@code User}), the store interfaces ({@code Store}, {@code LibraryStore}, {@code FunctionStore},
 * {@code UserStore}) with exact verbs, and the one {@code StoreException}. Implementations live in sub-packages
 * behind factories ({@code rocksdb}).
 * <p>
 * May depend on the JDK and Caffeine only: never on Helidon, HTTP, Jackson, the runtime or SQL++ text.
 */
package dev.evaluator.store;
