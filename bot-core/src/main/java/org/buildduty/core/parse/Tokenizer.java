package org.buildduty.core.parse;

import java.util.ArrayList;
import java.util.List;

import org.buildduty.core.UsageException;

/**
 * Splits a chat command line into words with shell-like quoting, and never expands anything.
 *
 * <p>Rules, a subset of POSIX shell word splitting:
 * <ul>
 *   <li>Words are separated by runs of ASCII space and tab. Other Unicode spaces (no-break space, ideographic space)
 *       are data.</li>
 *   <li>{@code 'single quotes'} keep everything literally up to the next {@code '}.</li>
 *   <li>{@code "double quotes"} keep everything literally except the escapes {@code \"}, {@code \\}, {@code \$} and
 *       {@code \`}; any other backslash stays as it is.</li>
 *   <li>Outside quotes a backslash makes the next character literal.</li>
 *   <li>Adjacent quoted and unquoted parts form one word ({@code "a"'b'c} is {@code abc}), and an empty quoted
 *       string ({@code ""} or {@code ''}) is an empty word.</li>
 *   <li>{@code $(...)}, backticks, {@code ;}, {@code |}, {@code &&}, {@code >}, {@code #}, {@code ~}, braces and
 *       globs are ordinary characters: the result is data, and whoever passes it to a shell quotes it.</li>
 *   <li>Look-alike quotes such as {@code “ ” ‘ ’} and full-width signs are data, not syntax.</li>
 * </ul>
 *
 * <p>A {@link UsageException} with a one-line message (never echoing control characters) is thrown for an
 * unterminated quote, a trailing backslash, a newline, CR, NUL or other control character (tab excepted; C0, DEL and
 * C1 are refused), and a line longer than {@value #MAX_LENGTH} code points.
 *
 * <pre>{@code
 * Tokenizer.tokenize("force \"my builder\" --reason 'it''s broken'");
 * // [force, my builder, --reason, its broken]
 * }</pre>
 */
public final class Tokenizer {
    /** The longest line accepted, in code points. */
    public static final int MAX_LENGTH = 4096;

    private Tokenizer() {
    }

    /**
     * Returns the words of {@code line}, in order; an empty or blank line gives an empty list.
     *
     * @throws UsageException if the line is too long, has a control character, or its quoting is incomplete
     */
    public static List<String> tokenize(String line) {
        checkCharacters(line);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new UsageException(
                            "unterminated single quote (opened at character " + position(line, i) + ")");
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(line, i, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new UsageException("trailing backslash: nothing to escape at the end of the line");
                }
                int cp = line.codePointAt(i + 1);
                word.appendCodePoint(cp);
                inWord = true;
                i += 1 + Character.charCount(cp);
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return List.copyOf(words);
    }

    /** Appends the double-quoted part starting at {@code open} to {@code word}; returns the index after it. */
    private static int doubleQuoted(String line, int open, StringBuilder word) {
        int i = open + 1;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n && isDoubleQuoteEscapable(line.charAt(i + 1))) {
                word.append(line.charAt(i + 1));
                i += 2;
            } else {
                word.append(c);
                i++;
            }
        }
        throw new UsageException("unterminated double quote (opened at character " + position(line, open) + ")");
    }

    /** The 1-based code point position of the char at {@code index}, as users count characters. */
    private static int position(String line, int index) {
        return line.codePointCount(0, index) + 1;
    }

    private static boolean isDoubleQuoteEscapable(char c) {
        return c == '"' || c == '\\' || c == '$' || c == '`';
    }

    private static void checkCharacters(String line) {
        int length = line.codePointCount(0, line.length());
        if (length > MAX_LENGTH) {
            throw new UsageException("command too long (" + length + " characters, limit " + MAX_LENGTH + ")");
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\n' || c == '\r') {
                throw new UsageException("a command is one line: newline not allowed");
            }
            if (c == '\t') {
                continue;
            }
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw new UsageException(String.format(
                        "control character U+%04X not allowed (at character %d)", (int) c, position(line, i)));
            }
        }
    }
}
