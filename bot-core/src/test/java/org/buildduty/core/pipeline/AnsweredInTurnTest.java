package org.buildduty.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.buildduty.core.command.CommandSpec;
import org.buildduty.core.command.Outcome;
import org.buildduty.core.testing.TestBot;

/**
 * Which thread answers a command (issue 23): a message that finds the bot idle is answered on the connector's thread
 * that delivered it, before that thread reads on (no wake-up of another thread in the round trip); one that arrives
 * while another is being handled waits on the engine's dispatch thread, and the connector's thread goes on at once.
 */
class AnsweredInTurnTest {
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final CountDownLatch slowRelease = new CountDownLatch(1);
    private final AtomicReference<String> quickRanOn = new AtomicReference<>();
    private final TestBot bot = TestBot.builder().commands(c -> c
            .register(CommandSpec.builder("quick").handler(ctx -> {
                quickRanOn.set(Thread.currentThread().getName());
                return Outcome.reply("quick answer");
            }).build())
            .register(CommandSpec.builder("slow").handler(ctx -> {
                slowStarted.countDown();
                try {
                    slowRelease.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Outcome.reply("slow answer");
            }).build())).build();

    @AfterEach
    void close() {
        slowRelease.countDown();
        bot.close();
    }

    @Test
    void aMessageThatFindsTheBotIdleIsAnsweredOnTheDeliveringThreadBeforeItGoesOn() {
        bot.chat().say("alice", TestBot.ROOM, "!quick");

        assertThat(bot.chat().texts()).as("answered before say() returned").containsExactly("quick answer");
        assertThat(quickRanOn.get()).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aMessageThatArrivesWhileAnotherIsHandledWaitsOnTheDispatchThreadAndItsDelivererGoesOn() throws Exception {
        Thread connector = new Thread(() -> bot.chat().say("alice", TestBot.ROOM, "!slow"), "connector-a");
        connector.start();
        assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

        bot.chat().say("bob", TestBot.ROOM, "!quick");
        assertThat(bot.chat().texts()).as("not answered yet, and say() did not wait").isEmpty();

        slowRelease.countDown();
        assertThat(bot.engine().awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(bot.chat().texts()).containsExactly("slow answer", "quick answer");
        assertThat(quickRanOn.get()).isEqualTo("buildduty-dispatch");
        connector.join(10_000);
    }
}
