/**
 * The store's API: validated value records ({@code LibraryId}, the sealed {@code Namespace}, {@code FunctionId},
 * {@code Library}, {@code FunctionDefinition}, {@code User}), the store interfaces ({@code Store},
 * {@code LibraryStore}, {@code FunctionStore}, {@code UserStore}) with exact verbs, transactions over libraries and
 * functions, the types of change notification, and the one {@code StoreException}. The implementations live below
 * it, behind factories: {@code rocksdb} (the embedded default) and {@code etcd} (several nodes).
 * <p>
 * May depend on the JDK and Caffeine only: never on Helidon, HTTP, Jackson, the runtime or SQL++ text.
 */
package dev.evaluator.store;
