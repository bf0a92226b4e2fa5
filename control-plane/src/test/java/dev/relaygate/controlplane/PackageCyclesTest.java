package dev.relaygate.controlplane;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.junit.jupiter.api.Test;

/**
 * Keeps the dependencies between the control plane's capability packages pointing one way (issue #14,
 * defect 4): a package that every other one needs is a leaf, and the package that assembles others imports
 * them, never the reverse.
 */
class PackageCyclesTest {

    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.relaygate.controlplane");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.relaygate.controlplane.(*)..")
                .should().beFreeOfCycles()
                .check(MAIN_CLASSES);
    }
}
