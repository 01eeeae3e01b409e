package org.buildduty.commands.mbs;

import org.buildduty.core.chat.ChatAddress;

/**
 * One room watching a build.
 *
 * @param room where {@code mbs watch} was asked
 * @param thread where the thread's lines go (a topic or thread, or the room itself), or null until it is opened
 * @param prefixed true where the chat has no threads, so lines carry {@code [mbs <id>] }
 * @param by who asked
 */
record Subscriber(ChatAddress room, ChatAddress thread, boolean prefixed, String by) {
    /** True if a message from {@code where} is about this subscription (its room or its thread). */
    boolean matches(ChatAddress where) {
        return room.equals(where) || where.equals(thread);
    }
}
