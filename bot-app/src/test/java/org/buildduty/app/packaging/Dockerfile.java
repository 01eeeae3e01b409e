package org.buildduty.app.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Dockerfile read into its stages and instructions, as the Docker builder reads it: {@code \} continues a line,
 * a line starting with {@code #} is a comment, the first word is the instruction, and {@code ["a", "b"]} is the exec
 * (JSON) form of RUN, COPY, ENTRYPOINT and CMD.
 */
final class Dockerfile {
    /** One instruction: its keyword in upper case, its argument text, and the line it starts on. */
    record Instruction(String keyword, String args, int line) {
        /** The arguments as a list: the JSON array of the exec form, else the text split at blanks. */
        List<String> words() {
            Optional<List<String>> json = execForm();
            return json.orElseGet(() -> List.of(args.strip().split("\\s+")));
        }

        /** The JSON array when the arguments are written in exec form. */
        Optional<List<String>> execForm() {
            String a = args.strip();
            if (!a.startsWith("[")) {
                return Optional.empty();
            }
            try {
                return Optional.of(new ObjectMapper().readValue(a, new TypeReference<List<String>>() { }));
            } catch (IOException e) {
                return Optional.empty();    // Docker then takes it as the shell form
            }
        }

        @Override
        public String toString() {
            return keyword + " " + args.strip() + " (Dockerfile:" + line + ")";
        }
    }

    /** A stage: {@code FROM image [AS name]} and the instructions up to the next FROM. */
    record Stage(String image, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }
    }

    private static final Pattern FROM = Pattern.compile("(?i)(?:--\\S+\\s+)*(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*");

    private final List<Stage> stages;

    private Dockerfile(List<Stage> stages) {
        this.stages = stages;
    }

    static Dockerfile read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    static Dockerfile parse(String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int start = i + 1;
            StringBuilder logical = new StringBuilder();
            while (line.endsWith("\\") && i + 1 < lines.length) {
                logical.append(line, 0, line.length() - 1).append(' ');
                i++;
                line = lines[i].strip();
                while (line.startsWith("#") && i + 1 < lines.length) {   // comment lines inside a continuation
                    i++;
                    line = lines[i].strip();
                }
            }
            logical.append(line);
            String[] kw = logical.toString().strip().split("\\s+", 2);
            Instruction ins = new Instruction(kw[0].toUpperCase(Locale.ROOT), kw.length > 1 ? kw[1] : "", start);
            if (ins.keyword().equals("FROM")) {
                Matcher m = FROM.matcher(ins.args());
                if (!m.matches()) {
                    throw new IllegalArgumentException("unreadable " + ins);
                }
                current = new ArrayList<>();
                stages.add(new Stage(m.group(1), m.group(2), current));
            } else if (current == null) {
                if (!ins.keyword().equals("ARG")) {
                    throw new IllegalArgumentException(ins + " before the first FROM");
                }
            } else {
                current.add(ins);
            }
        }
        return new Dockerfile(List.copyOf(stages));
    }

    List<Stage> stages() {
        return stages;
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }

    Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> name.equalsIgnoreCase(s.name())).findFirst();
    }

    /** The value of a {@code --flag=value} option at the head of a COPY, if present. */
    static Optional<String> flag(Instruction copy, String name) {
        for (String w : copy.words()) {
            if (!w.startsWith("--")) {
                break;
            }
            if (w.startsWith("--" + name + "=")) {
                return Optional.of(w.substring(name.length() + 3));
            }
        }
        return Optional.empty();
    }

    /** A COPY's sources and destination (the last word), its {@code --flags} left out. */
    static List<String> copyOperands(Instruction copy) {
        return copy.words().stream().dropWhile(w -> w.startsWith("--")).toList();
    }
}
