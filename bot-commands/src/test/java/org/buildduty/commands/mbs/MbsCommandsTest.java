package org.buildduty.commands.mbs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.buildduty.commands.builtin.BuiltinCommands;
import org.buildduty.commands.testing.FakeMbs;
import org.buildduty.core.testing.FakeTicker;
import org.buildduty.core.testing.TestBot;

class MbsCommandsTest {
    private static final String TOKEN = "mbs-oidc-token-42";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker(Instant.parse("2026-11-21T10:00:00Z"));
    private FakeMbs mbs;
    private TestBot bot;

    @BeforeEach
    void start() throws IOException {
        mbs = FakeMbs.start(ticker, TOKEN);
        MbsClient client = MbsClient.of(mbs.url(), () -> TOKEN, ticker);
        bot = TestBot.builder().ticker(ticker).commands(BuiltinCommands::commands)
                .commands(rules -> MbsCommands.register(rules, client)).executor(new MbsExecutor(client))
                .role("releng", "alice", "bob").build();
    }

    @AfterEach
    void stop() {
        bot.close();
        mbs.close();
    }

    private List<String> sendUntil(String principal, String text, String until) {
        List<String> lines = new ArrayList<>(bot.send(principal, text));
        if (lines.stream().noneMatch(l -> l.contains(until))) {
            lines.addAll(bot.awaitLine(until, WAIT));
        }
        return lines;
    }

    @Test
    void infoShowsTheBuildAndEachComponentWithItsNvrStateAndTask() {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "psabata", "ed", "pth", "perl");
        b.state("build", null).component("ed", 1).component("pth", 3).component("perl", 0);
        List<String> lines = bot.send("carol", "!mbs info " + b.id());
        assertThat(lines.get(0)).isEqualTo("mbs #570 testmodule-master-20171005113458 by psabata: build "
                + "· submitted 2026-11-21 10:00Z · 2/3 built "
                + "· koji tag module-testmodule-master-20171005113458-00000000");
        assertThat(lines.subList(1, lines.size())).containsExactly(
                "  ed COMPLETE ed-1.0-1.module_f26+570+abcdef12 " + MbsClient.KOJI_TASKS + b.taskId("ed"),
                "  perl BUILDING perl-1.0-1.module_f26+570+abcdef12 " + MbsClient.KOJI_TASKS + b.taskId("perl"),
                "  pth FAILED pth-1.0-1.module_f26+570+abcdef12 " + MbsClient.KOJI_TASKS + b.taskId("pth"));
    }

    @Test
    void aLargeBuildListsOnlyItsFailedAndBuildingComponentsAndCountsTheRest() {
        String[] pkgs = new String[40];
        for (int i = 0; i < pkgs.length; i++) {
            pkgs[i] = String.format("pkg%02d", i);
        }
        FakeMbs.FakeBuild b = mbs.submit("big", "f26", "alice", pkgs).state("build", null);
        for (int i = 0; i < 30; i++) {
            b.component(pkgs[i], 1);
        }
        b.component("pkg30", 0).component("pkg31", 3);
        List<String> lines = bot.send("carol", "!mbs info #" + b.id());
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("  pkg30 BUILDING");
        assertThat(lines.get(2)).startsWith("  pkg31 FAILED");
        assertThat(lines.get(3)).isEqualTo("… 38 more components not listed: 30 COMPLETE, 8 undefined");
    }

    @Test
    void overviewListsTheActiveBuildsNewestFirst() {
        mbs.submit("old", "f26", "alice", "a").state("ready", null);
        FakeMbs.FakeBuild w = mbs.submit("waiting", "f27", "bob", "a", "b");
        FakeMbs.FakeBuild x = mbs.submit("building", "master", "carol", "a", "b", "c").state("build", null)
                .component("a", 1).component("b", 0);
        assertThat(bot.send("carol", "!mbs overview")).containsExactly(
                "MBS: 2 active module builds (id · state · submitted · built/total · owner · module)",
                "#" + x.id() + " · build · 2026-11-21 10:00Z · 1/3 · carol · building-master-20171005113458",
                "#" + w.id() + " · wait · 2026-11-21 10:00Z · 0/2 · bob · waiting-f27-20171005113458");
    }

    @Test
    void cancelNeedsTheRoleAndAnotherReleasersApprovalThenPatchesWithTheToken() {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "alice", "ed").state("build", null);
        assertThat(bot.send("carol", "!mbs cancel " + b.id())).singleElement().asString().contains("releng");
        List<String> asked = bot.send("alice", "!mbs cancel " + b.id());
        assertThat(asked.get(0)).contains("approve with");
        assertThat(org.buildduty.core.operation.Exclusion.keys(bot.journal().operation(
                new org.buildduty.core.operation.OperationId(1)).orElseThrow().plan()))
                .containsExactly("target:module build 570");
        assertThat(mbs.patches()).isEmpty();
        List<String> done = sendUntil("bob", "!approve 1", "succeeded");
        assertThat(String.join("\n", done)).contains("module build 570 (testmodule-master) is now failed: "
                + "Canceled by buildduty.");
        assertThat(mbs.patches()).containsExactly("{\"state\":\"failed\"}");
        assertThat(String.join("\n", bot.chat().sent().stream().map(s -> s.text()).toList())).doesNotContain(TOKEN);
    }

    @Test
    void cancelOfAFinishedBuildOrAnUnknownOneIsOneLine() {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "alice", "ed").state("ready", null);
        assertThat(bot.send("alice", "!mbs cancel " + b.id())).containsExactly("module build 570 "
                + "(testmodule-master) is ready; only builds in init, wait or build can be cancelled");
        assertThat(bot.send("alice", "!mbs cancel 999")).containsExactly(
                "MBS has no module build 999 (No such module found.)");
        assertThat(bot.send("alice", "!mbs info 57;rm")).containsExactly(
                "a module build id is a positive number, like 570; not \"57;rm\"");
        assertThat(mbs.patches()).isEmpty();
    }

    @Test
    void whenMbsRefusesAfterTheApprovalItsMessageIsTheFailure() {
        FakeMbs.FakeBuild b = mbs.submit("testmodule", "master", "alice", "ed").state("build", null);
        bot.send("alice", "!mbs cancel " + b.id());
        b.state("done", null);
        List<String> done = sendUntil("bob", "!approve 1", "#1 failed");
        assertThat(String.join("\n", done)).contains("To cancel a module build, it must be in one of the following "
                + "states: build, init, wait");
    }

    @Test
    void anMbsThatIsDownIsOneLine() {
        mbs.failNext(1, 503);
        assertThat(bot.send("carol", "!mbs overview")).singleElement().asString()
                .startsWith("MBS failed (503): The server encountered");
    }
}
