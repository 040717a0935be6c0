package dev.evaluator.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module map, checked on the compiled classes of every module below the HTTP adapter: dependencies point down,
 * and Helidon and Jackson stay where ARCHITECTURE.md puts them.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.evaluator");
        for (String pkg : new String[] {"dev.evaluator.engine", "dev.evaluator.store", "dev.evaluator.runtime",
                "dev.evaluator.query"}) {
            assertTrue(classes.containPackage(pkg), "no classes of " + pkg + " were imported");
        }
    }

    @Test
    void belowTheAdapter_nothingDependsOnHelidon() {
        check(noClasses().that().resideInAnyPackage("dev.evaluator.engine..", "dev.evaluator.store..",
                        "dev.evaluator.runtime..", "dev.evaluator.query..")
                .should().dependOnClassesThat().resideInAPackage("io.helidon.."));
    }

    @Test
    void storeRuntimeAndQuery_doNotDependOnJackson() {
        check(noClasses().that().resideInAnyPackage("dev.evaluator.store..", "dev.evaluator.runtime..",
                        "dev.evaluator.query..")
                .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson.."));
    }

    @Test
    void engine_doesNotDependOnTheAdapter() {
        check(noClasses().that().resideInAPackage("dev.evaluator.engine..")
                .should().dependOnClassesThat().resideInAPackage("dev.evaluator.api.."));
    }

    @Test
    void storeRuntimeAndQuery_doNotSeeEachOtherOrTheEngine() {
        check(noClasses().that().resideInAPackage("dev.evaluator.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.evaluator.runtime..",
                        "dev.evaluator.query..", "dev.evaluator.engine.."));
        check(noClasses().that().resideInAPackage("dev.evaluator.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.evaluator.store..",
                        "dev.evaluator.query..", "dev.evaluator.engine.."));
        check(noClasses().that().resideInAPackage("dev.evaluator.query..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.evaluator.store..",
                        "dev.evaluator.runtime..", "dev.evaluator.engine.."));
    }

    @Test
    void engine_usesTheStoreApiNotAnImplementation() {
        check(noClasses().that().resideInAPackage("dev.evaluator.engine..")
                .should().dependOnClassesThat().resideInAPackage("dev.evaluator.store.rocksdb.."));
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }
}
