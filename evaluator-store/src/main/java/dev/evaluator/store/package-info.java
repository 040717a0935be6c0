/**
 * The store's API: value records ({@link dev.evaluator.store.LibraryId}, {@link dev.evaluator.store.Library},
 * {@link dev.evaluator.store.FunctionDefinition}, {@link dev.evaluator.store.User}), the store interfaces, the one
 * exception type, transactions over libraries and functions, and the types of change notification. The
 * implementations live below it, in {@code rocksdb} and {@code etcd}. Depends on the JDK only.
 */
package dev.evaluator.store;
