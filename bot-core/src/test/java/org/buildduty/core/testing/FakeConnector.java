package org.buildduty.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.buildduty.core.chat.Capabilities;
import org.buildduty.core.chat.ChatAddress;
import org.buildduty.core.chat.ChatEvent;
import org.buildduty.core.chat.ChatMessage;
import org.buildduty.core.chat.ChatReaction;
import org.buildduty.core.chat.Connector;
import org.buildduty.core.chat.Identity;
import org.buildduty.core.chat.MessageRef;
import org.buildduty.core.time.Ticker;

/** A connector for tests: {@link #say} injects a message, and every sent or edited message is recorded. */
public final class FakeConnector implements Connector {
    /** A sent message, or an edit of one (then {@code editOf} names the original id). */
    public record Sent(ChatAddress to, String text, String id, String editOf) {
    }

    private final String id;
    private final Capabilities caps;
    private final Ticker ticker;
    private final List<Sent> sent = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile ChatEvent.Listener listener;
    private volatile boolean failSends;
    private volatile Predicate<ChatAddress> takesRule = to -> to.thread() == null;

    public FakeConnector(String id, Capabilities caps, Ticker ticker) {
        this.id = id;
        this.caps = caps;
        this.ticker = ticker;
    }

    /** A plain IRC-like connector: no edits, burst 5 then one message a second. */
    public static FakeConnector ircLike(String id, Ticker ticker) {
        return new FakeConnector(id, new Capabilities(false, false, 400, 5, Duration.ofSeconds(1), false), ticker);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Capabilities capabilities() {
        return caps;
    }

    @Override
    public void start(ChatEvent.Listener l) {
        this.listener = l;
    }

    /** Whether the engine has started this connector (it may deliver messages from then on). */
    public boolean started() {
        return listener != null;
    }

    /** A message from {@code principal} in {@code room}, as the connector would deliver it. */
    public ChatMessage message(String principal, String room, String text) {
        return new ChatMessage(ChatAddress.of(id, room), new Identity(id, principal), principal, text,
                false, ticker.now());
    }

    /** Like {@link #message(String, String, String)}, with the chat's id of the message (a Matrix event id). */
    public ChatMessage message(String principal, String room, String text, String messageId) {
        return new ChatMessage(ChatAddress.of(id, room), new Identity(id, principal), principal, text,
                false, ticker.now(), messageId);
    }

    /** Delivers a message to the started listener. */
    public void say(String principal, String room, String text) {
        listener.onEvent(message(principal, room, text));
    }

    /**
     * Delivers a reaction by {@code principal} in {@code room}: added ({@code key} on message {@code messageId}) or
     * removed ({@code key} and {@code messageId} may then be null, as a Matrix redaction names only the reaction).
     */
    public void react(String principal, String room, String messageId, String key, boolean added,
            String reactionId) {
        listener.onEvent(new ChatReaction(id, room, new Identity(id, principal), messageId, key, added, reactionId,
                ticker.now()));
    }

    /** The id of the last message sent whose text contains {@code text}. */
    public synchronized String idOf(String text) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).editOf() == null && sent.get(i).text().contains(text)) {
                return sent.get(i).id();
            }
        }
        throw new AssertionError("nothing sent containing \"" + text + "\"; sent " + sent);
    }

    /** Makes every send throw, as a dropped connection would. */
    public void failSends(boolean fail) {
        this.failSends = fail;
    }

    /** Which addresses {@link #takes} accepts (by default any room without a thread). */
    public FakeConnector takes(Predicate<ChatAddress> rule) {
        this.takesRule = rule;
        return this;
    }

    @Override
    public boolean takes(ChatAddress to) {
        return takesRule.test(to);
    }

    /**
     * With threads in its capabilities, a thread is a Zulip-like topic named by the title (or the room's own thread,
     * if it names one); without, the room itself.
     */
    @Override
    public synchronized MessageRef startThread(ChatAddress room, String title, String text, String rootMessageId) {
        if (!caps.threads()) {
            return Connector.super.startThread(room, title, text, rootMessageId);
        }
        ChatAddress thread = room.thread() != null ? room : room.inThread(title);
        return send(thread, text);
    }

    @Override
    public synchronized MessageRef send(ChatAddress to, String text) {
        if (failSends) {
            throw new IllegalStateException("not connected");
        }
        String mid = Long.toString(ids.incrementAndGet());
        sent.add(new Sent(to, text, mid, null));
        return new MessageRef(to, mid);
    }

    @Override
    public synchronized void edit(MessageRef ref, String text) {
        sent.add(new Sent(ref.address(), text, ref.id(), ref.id()));
    }

    /** Everything sent so far, in order. */
    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The texts sent so far (edits included), in order. */
    public synchronized List<String> texts() {
        return sent.stream().map(Sent::text).toList();
    }

    /** Forgets what was sent. */
    public synchronized void clear() {
        sent.clear();
    }

    @Override
    public void close() {
    }
}
