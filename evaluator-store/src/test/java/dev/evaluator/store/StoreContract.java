package dev.evaluator.store;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every store contract suite shares: a fresh store in a temporary directory for each test, closed after it.
 * An implementation's test class names how its store opens.
 */
public abstract class StoreContract {
    @TempDir
    protected Path dir;

    /** The store of the running test. */
    protected Store store;

    /**
     * Open the implementation's store in a directory, creating it when empty.
     *
     * @param dir the data directory
     * @return the open store
     */
    protected abstract Store open(Path dir);

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }
}
