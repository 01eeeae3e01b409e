package org.buildduty.commands.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.commands.testing.FakeJenkins;

/** The client against the contract fake: triggers, the queue, builds, the error lines, and password auth. */
class JenkinsClientTest {
    private static final String TOKEN = "11e1f0ab7c2d4e5f60718293a4b5c6d7e8";
    private FakeJenkins jenkins;

    @AfterEach
    void stop() {
        if (jenkins != null) {
            jenkins.close();
        }
    }

    private JenkinsClient client() throws IOException {
        jenkins = FakeJenkins.start("buildduty", TOKEN);
        return JenkinsClient.withToken(jenkins.url(), "buildduty", () -> TOKEN);
    }

    @Test
    void triggersWithParametersInAFolderAndFollowsTheQueueItemToItsBuild() throws IOException {
        JenkinsClient c = client();
        jenkins.addJob("kernelci/kernel-build-trigger", "BUILD_CONFIG", "PUBLISH").nextBuild(312);

        long item = c.trigger("kernelci/kernel-build-trigger", Map.of("BUILD_CONFIG", "mainline"));

        assertThat(jenkins.requests()).contains("POST /job/kernelci/job/kernel-build-trigger/buildWithParameters"
                + "?delay=0sec");
        assertThat(jenkins.item(item).params()).containsEntry("BUILD_CONFIG", "mainline").containsEntry("PUBLISH", "");
        JenkinsClient.QueueItem waiting = c.queueItem(item).orElseThrow();
        assertThat(waiting.left()).isFalse();
        assertThat(waiting.why()).startsWith("In the quiet period");
        assertThat(c.trigger("kernelci/kernel-build-trigger", Map.of("BUILD_CONFIG", "mainline")))
                .as("a duplicate is folded into the queued item (303)").isEqualTo(item);

        int number = jenkins.startBuild(item);
        JenkinsClient.QueueItem left = c.queueItem(item).orElseThrow();
        assertThat(left.left()).isTrue();
        assertThat(left.number()).isEqualTo(312).isEqualTo(number);
        assertThat(left.buildUrl()).isEqualTo(jenkins.url() + "job/kernelci/job/kernel-build-trigger/312/");
        assertThat(c.build("kernelci/kernel-build-trigger", 312).building()).isTrue();
        jenkins.finish("kernelci/kernel-build-trigger", 312, "UNSTABLE", 61_000);
        JenkinsClient.Build done = c.build("kernelci/kernel-build-trigger", 312);
        assertThat(done.building()).isFalse();
        assertThat(done.result()).isEqualTo("UNSTABLE");
        jenkins.forget(item);
        assertThat(c.queueItem(item)).isEmpty();
        assertThat(c.buildOfQueueItem("kernelci/kernel-build-trigger", item)).map(JenkinsClient.Build::number)
                .contains(312);
        assertThat(c.jobNames()).containsExactly("kernelci/kernel-build-trigger");
    }

    @Test
    void everyRefusalIsOneLine() throws IOException {
        JenkinsClient c = client();
        jenkins.addJob("kernel-tree-monitor", "KCI_API_URL");
        jenkins.addJob("job-dsl");

        assertThatThrownBy(() -> c.trigger("kernel-tree-monitor", null)).hasMessage("Jenkins job kernel-tree-monitor "
                + "is parameterized: give its parameters (params: {NAME: value}; params: {} takes its defaults) (400 "
                + "Nothing is submitted)");
        assertThatThrownBy(() -> c.trigger("job-dsl", Map.of("A", "b")))
                .hasMessage("Jenkins job job-dsl is not parameterized: drop params (400)");
        assertThatThrownBy(() -> c.trigger("kernel-tree-mon", Map.of()))
                .hasMessage("no Jenkins job \"kernel-tree-mon\"");
        c.disable("kernel-tree-monitor");
        assertThat(jenkins.job("kernel-tree-monitor").disabled()).isTrue();
        assertThatThrownBy(() -> c.trigger("kernel-tree-monitor", Map.of()))
                .hasMessage("Jenkins job kernel-tree-monitor is disabled: enable it first (409 not buildable)");
        c.enable("kernel-tree-monitor");
        jenkins.deny("hudson.model.Item.Build");
        assertThatThrownBy(() -> c.trigger("kernel-tree-monitor", Map.of())).hasMessage(
                "Jenkins: buildduty may not trigger kernel-tree-monitor: missing the Job/Build permission (403)");

        JenkinsClient wrong = JenkinsClient.withToken(jenkins.url(), "buildduty", () -> "nope");
        assertThatThrownBy(() -> wrong.job("job-dsl")).hasMessage("Jenkins refused the credentials of buildduty "
                + "(401): check services.jenkins user and token").hasMessageNotContaining(TOKEN);
    }

    @Test
    void connectionRefusedIsOneLineAndCountsAsUnreachable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JenkinsClient c = JenkinsClient.withToken(URI.create("http://127.0.0.1:" + port + "/"), "u", () -> "t");

        assertThatThrownBy(() -> c.busy(List.of())).isInstanceOfSatisfying(JenkinsException.class,
                e -> assertThat(e.unreachable()).isTrue())
                .hasMessage("Jenkins at http://127.0.0.1:" + port + "/ is not reachable: connection refused");
    }

    @Test
    void withAPasswordEveryPostCarriesTheCrumbAndItsSessionCookie() throws IOException {
        jenkins = FakeJenkins.startWithPassword("buildduty", "pw-s3cret");
        jenkins.addJob("kernel-tree-monitor");
        JenkinsClient c = JenkinsClient.withPassword(jenkins.url(), "buildduty", () -> "pw-s3cret");
        JenkinsClient noCrumb = JenkinsClient.withToken(jenkins.url(), "buildduty", () -> "pw-s3cret");

        assertThatThrownBy(() -> noCrumb.disable("kernel-tree-monitor"))
                .hasMessage("Jenkins refused to disable kernel-tree-monitor (403: a missing permission)");
        c.disable("kernel-tree-monitor");
        c.enable("kernel-tree-monitor");

        assertThat(jenkins.job("kernel-tree-monitor").disabled()).isFalse();
        assertThat(jenkins.requests().stream().filter(r -> r.contains("crumbIssuer")).count()).isEqualTo(1);

        jenkins.expireSessions();
        c.disable("kernel-tree-monitor");

        assertThat(jenkins.job("kernel-tree-monitor").disabled()).as("a new crumb and session after a 403").isTrue();
        assertThat(jenkins.requests().stream().filter(r -> r.contains("crumbIssuer")).count()).isEqualTo(2);
    }

    @Test
    void busyListsQueuedItemsAndRunningBuildsOfTheNamedJobsOrAll() throws IOException {
        JenkinsClient c = client();
        jenkins.addJob("kernel-tree-monitor");
        jenkins.addJob("kernel-build").nextBuild(1201);
        assertThat(c.busy(List.of())).isEmpty();

        jenkins.enqueue("kernel-tree-monitor", "Waiting for next available executor");
        jenkins.running("kernel-build");

        assertThat(c.busy(List.of())).extracting(JenkinsClient.Busy::text).containsExactly(
                "kernel-tree-monitor queued (Waiting for next available executor)", "kernel-build #1201 running");
        assertThat(c.busy(List.of("kernel-build"))).extracting(JenkinsClient.Busy::text)
                .containsExactly("kernel-build #1201 running");
        assertThat(c.busy(List.of("job-dsl"))).isEmpty();
    }
}
