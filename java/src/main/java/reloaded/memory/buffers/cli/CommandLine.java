package reloaded.memory.buffers.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Where the command is in a command line, and what a mistyped one was probably meant to be. Options
 * may come before the command ({@code --json list}, {@code --root DIR list}): the command is the
 * first word that is neither an option nor the directory after {@code --root}.
 */
final class CommandLine {
    private CommandLine() {
    }

    /** The arguments with the command word moved to the front (unchanged when there is none). */
    static List<String> commandFirst(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--root")) {
                i++; // its directory is not the command
            } else if (!a.startsWith("-")) {
                List<String> line = new ArrayList<>(args.size());
                line.add(a);
                line.addAll(args.subList(0, i));
                line.addAll(args.subList(i + 1, args.size()));
                return line;
            }
        }
        return args;
    }

    /**
     * The name the typed word most likely meant: the one it starts, else the nearest within two
     * edits (fewer than the word's length); null when none is close.
     */
    static String didYouMean(String typed, Collection<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : names) {
            if (typed.length() >= 2 && name.startsWith(typed)) {
                return name;
            }
            int d = distance(typed, name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return bestDistance <= 2 && bestDistance < typed.length() ? best : null;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
