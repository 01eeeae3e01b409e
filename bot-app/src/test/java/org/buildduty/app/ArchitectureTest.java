package org.buildduty.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.jcraft.jsch.JSch;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import org.buildduty.app.archfixture.WebLibraryFixture;
import org.buildduty.commands.archfixture.CommandsFixture;
import org.buildduty.connectors.archfixture.ConnectorsFixture;
import org.buildduty.core.archcyclefixture.CycleBackFixture;
import org.buildduty.core.archfixture.CoreExecutorLibraryFixture;
import org.buildduty.core.archfixture.CoreFixture;
import org.buildduty.core.archfixture.CycleFixture;
import org.buildduty.exec.archfixture.ExecFixture;

/**
 * Module boundaries, checked on the main classes of every module (bot-app's test classpath holds them all):
 * bot-core uses no other module and no connector or executor library, and its packages form no cycle; the
 * executors (bot-exec) know only bot-core; commands and connectors do not know each other or the app. The fixtures
 * in the {@code *.archfixture} test packages break each rule on purpose, so a rule that can no longer fail is
 * noticed.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("org.buildduty");

    static final ArchRule CORE_STANDS_ALONE = noClasses()
            .that().resideInAPackage("org.buildduty.core..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.buildduty.exec..", "org.buildduty.commands..", "org.buildduty.connectors..",
                    "org.buildduty.app..", "org.pircbotx..", "org.kitteh..", "com.github.jamesnetherton..")
            .because("bot-core depends on no other module and on no chat library")
            .allowEmptyShould(false);

    /** The engine holds the step-executor SPI only; the SSH, HTTP and cache libraries live in the executors. */
    static final ArchRule CORE_USES_NO_EXECUTOR_LIBRARY = noClasses()
            .that().resideInAPackage("org.buildduty.core..")
            .should().dependOnClassesThat().resideInAnyPackage("com.jcraft..", "okhttp3..",
                    "com.github.benmanes.caffeine..")
            .because("bot-core depends on no JSch, OkHttp or Caffeine: the executors are in bot-exec and bot-commands")
            .allowEmptyShould(false);

    static final ArchRule EXEC_KNOWS_ONLY_CORE = noClasses()
            .that().resideInAPackage("org.buildduty.exec..")
            .should().dependOnClassesThat().resideInAnyPackage("org.buildduty.commands..",
                    "org.buildduty.connectors..", "org.buildduty.app..")
            .because("the general executors implement bot-core's SPI and know no command, connector or the app")
            .allowEmptyShould(false);

    /** The SSH and HTTP libraries stay inside their executors; the model and engines never see them. */
    static final ArchRule EXECUTOR_LIBRARIES_STAY_IN_THEIR_EXECUTORS = noClasses()
            .that().resideInAPackage("org.buildduty..")
            .and().resideOutsideOfPackages("org.buildduty.exec.ssh..", "org.buildduty.exec.http..",
                    "org.buildduty.commands.buildbot..", "org.buildduty.commands.mbs..",
                    "org.buildduty.commands.jenkins..", "org.buildduty.connectors..", "org.buildduty.bench..")
            .should().dependOnClassesThat().resideInAnyPackage("okhttp3..", "com.jcraft..")
            .because("only the ssh, http, buildbot, mbs and jenkins clients and executors (and connectors, for their "
                    + "HTTP APIs) use JSch and OkHttp")
            .allowEmptyShould(false);

    static final ArchRule COMMANDS_IGNORE_CONNECTORS_AND_APP = noClasses()
            .that().resideInAPackage("org.buildduty.commands..")
            .should().dependOnClassesThat().resideInAnyPackage("org.buildduty.connectors..", "org.buildduty.app..")
            .because("commands reach chat systems only through bot-core's API")
            .allowEmptyShould(false);

    static final ArchRule CONNECTORS_IGNORE_COMMANDS_AND_APP = noClasses()
            .that().resideInAPackage("org.buildduty.connectors..")
            .should().dependOnClassesThat().resideInAnyPackage("org.buildduty.commands..", "org.buildduty.app..")
            .because("connectors only turn chat traffic into bot-core events")
            .allowEmptyShould(false);

    /** The HTTP server library stays behind {@code app.web.WebServer}. */
    static final ArchRule WEB_LIBRARIES_STAY_IN_WEB = noClasses()
            .that().resideInAPackage("org.buildduty..")
            .and().resideOutsideOfPackage("org.buildduty.app.web..")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..",
                    "jakarta.servlet..")
            .because("only the web page (org.buildduty.app.web) uses Javalin and Jetty")
            .allowEmptyShould(false);

    /**
     * bot-core's packages depend on each other in one direction only (model → executor SPI → progress → runner,
     * journal → approval → command → pipeline), so each can be read, tested and changed from the bottom up.
     */
    static final ArchRule CORE_PACKAGES_ARE_FREE_OF_CYCLES = slices()
            .matching("org.buildduty.core.(*)..")
            .should().beFreeOfCycles()
            .because("a package cycle inside bot-core means neither package can be understood without the other")
            .allowEmptyShould(false);

    @Test
    void importsMainClassesButNoTestClasses() {
        assertThat(MAIN_CLASSES.contain("org.buildduty.core.BuilddutyException")).isTrue();
        assertThat(MAIN_CLASSES.contain("org.buildduty.core.testing.FakeTicker")).isFalse();
        assertThat(MAIN_CLASSES.contain(CoreFixture.class)).isFalse();
        assertThat(MAIN_CLASSES.contain(ArchitectureTest.class)).isFalse();
    }

    @Test
    void coreDependsOnNoOtherModuleAndExecutorLibrariesStayInTheirExecutors() {
        CORE_STANDS_ALONE.check(MAIN_CLASSES);
        CORE_USES_NO_EXECUTOR_LIBRARY.check(MAIN_CLASSES);
        EXEC_KNOWS_ONLY_CORE.check(MAIN_CLASSES);
        EXECUTOR_LIBRARIES_STAY_IN_THEIR_EXECUTORS.check(MAIN_CLASSES);
        WEB_LIBRARIES_STAY_IN_WEB.check(MAIN_CLASSES);
    }

    @Test
    void corePackagesAreFreeOfCycles() {
        CORE_PACKAGES_ARE_FREE_OF_CYCLES.check(MAIN_CLASSES);
    }

    @Test
    void commandsDependNeitherOnConnectorsNorOnTheApp() {
        assumeModuleHasClasses("org.buildduty.commands", "bot-commands");
        COMMANDS_IGNORE_CONNECTORS_AND_APP.check(MAIN_CLASSES);
    }

    @Test
    void connectorsDependNeitherOnCommandsNorOnTheApp() {
        assumeModuleHasClasses("org.buildduty.connectors", "bot-connectors");
        CONNECTORS_IGNORE_COMMANDS_AND_APP.check(MAIN_CLASSES);
    }

    @Test
    void eachRuleReportsAForbiddenDependency() {
        assertViolation(CORE_STANDS_ALONE, CoreFixture.class, CommandsFixture.class);
        assertViolation(CORE_USES_NO_EXECUTOR_LIBRARY, CoreExecutorLibraryFixture.class, JSch.class);
        assertViolation(CORE_USES_NO_EXECUTOR_LIBRARY, CoreExecutorLibraryFixture.class, OkHttpClient.class);
        assertViolation(CORE_USES_NO_EXECUTOR_LIBRARY, CoreExecutorLibraryFixture.class, Cache.class);
        assertViolation(EXEC_KNOWS_ONLY_CORE, ExecFixture.class, CommandsFixture.class);
        assertViolation(COMMANDS_IGNORE_CONNECTORS_AND_APP, CommandsFixture.class, ConnectorsFixture.class);
        assertViolation(CONNECTORS_IGNORE_COMMANDS_AND_APP, ConnectorsFixture.class, CommandsFixture.class);
        assertViolation(WEB_LIBRARIES_STAY_IN_WEB, WebLibraryFixture.class, io.javalin.Javalin.class);

        EvaluationResult cycle = CORE_PACKAGES_ARE_FREE_OF_CYCLES.evaluate(
                new ClassFileImporter().importClasses(CycleFixture.class, CycleBackFixture.class));
        assertThat(cycle.hasViolation()).as("a cycle between two core packages breaks the cycle rule").isTrue();
        assertThat(cycle.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("archfixture").contains("archcyclefixture"));
    }

    @Test
    void aRuleWithNothingToCheckFails() {
        JavaClasses noCoreClasses = new ClassFileImporter().importClasses(CommandsFixture.class);

        assertThatThrownBy(() -> CORE_STANDS_ALONE.evaluate(noCoreClasses))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("failed to check any classes");
    }

    private static void assertViolation(ArchRule rule, Class<?> offender, Class<?> target) {
        EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(offender));

        assertThat(result.hasViolation()).as("%s breaks: %s", offender.getSimpleName(), rule).isTrue();
        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains(offender.getName()).contains(target.getName()));
    }

    /** Skips (visibly) while a module has no main classes yet; remove once every module has code. */
    private static void assumeModuleHasClasses(String rootPackage, String module) {
        long count = MAIN_CLASSES.stream().filter(c -> c.getPackageName().startsWith(rootPackage)).count();
        assumeThat(count).as("%s has no main classes to check yet", module).isPositive();
    }
}
