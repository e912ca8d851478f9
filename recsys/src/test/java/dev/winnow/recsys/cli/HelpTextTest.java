package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's --help renders cleanly: picocli formats descriptions with String.format, so a bare '%' in one
 * ("10% of") makes it print a warning per option instead of the help the user asked for.
 */
class HelpTextTest {

    @Test
    void everyCommandsHelpRendersWithoutFormatWarnings() {
        List<String[]> commands = List.of(new String[] {"--help"}, new String[] {"train", "--help"},
                new String[] {"eval", "--help"}, new String[] {"compare", "--help"}, new String[] {"export", "--help"},
                new String[] {"inspect", "--help"}, new String[] {"infer", "--help"}, new String[] {"bench", "--help"},
                new String[] {"bench", "kernels", "--help"}, new String[] {"bench", "crossover", "--help"},
                new String[] {"bench", "step", "--help"});
        for (String[] args : commands) {
            CliRun run = CliRun.of(args);
            String what = String.join(" ", args);
            assertEquals(0, run.exit(), what + ": " + run.err());
            assertTrue(run.out().contains("Usage: winnow"), what + ": no usage in\n" + run.out());
            assertFalse(run.err().contains("Could not format") || run.out().contains("Could not format"),
                    what + " printed a format warning:\n" + run.err());
        }
    }
}
