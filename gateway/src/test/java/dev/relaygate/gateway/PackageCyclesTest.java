package dev.relaygate.gateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Keeps the dependencies between the gateway's capability packages pointing one way (issue #14, defect 4): the
 * types every step shares live in leaf packages, and only {@code hotpath}, which assembles the pipeline, knows
 * every step.
 */
class PackageCyclesTest {

    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.relaygate.gateway");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.relaygate.gateway.(*)..")
            .should().beFreeOfCycles()
            .check(MAIN_CLASSES);
    }

    @Test
    void noStepKnowsThePipelineThatAssemblesIt() {
        noClasses().that().resideOutsideOfPackage("dev.relaygate.gateway.hotpath..")
            .should().dependOnClassesThat().resideInAPackage("dev.relaygate.gateway.hotpath..")
            .check(MAIN_CLASSES);
    }

    @Test
    void theChainCatalogueAndTheJsonRpcReaderDependOnNoOtherStep() {
        noClasses().that().resideInAnyPackage("dev.relaygate.gateway.routing..", "dev.relaygate.gateway.jsonrpc..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.relaygate.gateway.auth..",
                "dev.relaygate.gateway.ratelimit..", "dev.relaygate.gateway.upstream..", "dev.relaygate.gateway.usage..",
                "dev.relaygate.gateway.config..", "dev.relaygate.gateway.observability..")
            .check(MAIN_CLASSES);
    }
}
