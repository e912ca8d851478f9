package dev.winnow.recsys.cli;

import dev.winnow.recsys.checkpoint.CheckpointFormatException;
import dev.winnow.recsys.movies.MovieDataException;
import dev.winnow.recsys.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code winnow} command line: one subcommand per job. */
@Command(name = "winnow", mixinStandardHelpOptions = true, version = "winnow 0.1.0",
        description = "Trains, prunes, distils and serves small recommender models.",
        subcommands = {TrainCommand.class, EvalCommand.class, CompareCommand.class, ExportCommand.class,
            InspectCommand.class, InferCommand.class, BenchCommand.class})
public final class WinnowCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // one physical line per log record (the JDK default prints a date line, then the message)
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 bad usage. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new WinnowCli());
        // Bad usage: one line naming the option, the synopsis and a pointer to --help, not picocli's default full help
        // page (25 lines after a malformed value, in which the error scrolls out of sight).
        cli.setParameterExceptionHandler((ex, badArgs) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.print(cmd.getHelp().fullSynopsis());
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Failure f = Failure.of(ex, commandLine.getParseResult());
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + f.message());
            commandLine.getErr().flush();
            return f.exitCode();
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to the handler above; an Error would end in the JVM's stack trace
            System.err.println("winnow: out of memory (the Java heap limit is "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB): use smaller sizes or data, or raise the "
                    + "limit with JAVA_OPTS=-Xmx<size>" + Failure.traceNote(e));
            return CommandLine.ExitCode.SOFTWARE;
        } catch (StackOverflowError | LinkageError | AssertionError e) {
            System.err.println("winnow: " + Failure.internal(e).message());
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + spec.subcommands().keySet());
    }

    /**
     * What a command's exception means to the user: its one-line message and exit code. Bad input the user can fix
     * (an option value, a path that is missing, unreadable or of the wrong kind, a data or checkpoint file in the
     * wrong format) exits 2 with the option and path named; a diverged training run exits 1 with its own message;
     * anything else is an internal failure, exit 1 with the exception's class name for the bug report.
     */
    record Failure(int exitCode, String message) {

        static Failure of(Exception ex, CommandLine.ParseResult parsed) {
            Throwable t = ex;
            // the data readers wrap I/O errors to cross stream lambdas; the wrapper's message names the data file
            if (t instanceof UncheckedIOException u && u.getCause() instanceof FileSystemException fs) {
                t = fs;
            } else if (t instanceof UncheckedIOException u) {
                return usage(u.getMessage());
            }
            if (t instanceof IllegalArgumentException || t instanceof MovieDataException
                    || t instanceof CheckpointFormatException) {
                return usage(t.getMessage());
            }
            if (t instanceof FileSystemException fs && fs.getFile() != null) {
                return usage(describe(fs, parsed));
            }
            if (t instanceof IOException && "Is a directory".equals(t.getMessage())) {
                // reading a directory as a file reports no path: name the option that points at a directory
                for (String[] o : pathOptions(parsed)) {
                    if (Files.isDirectory(pathOf(o[1]))) {
                        return usage(named(o) + ": is a directory; name a file");
                    }
                }
            }
            if (t instanceof TrainingDivergedException) {
                return new Failure(CommandLine.ExitCode.SOFTWARE, t.getMessage());
            }
            return internal(t);
        }

        /**
         * A failure that is not an input mistake: a bug or the machine. One line for the console, the full trace in
         * a file for the bug report.
         */
        static Failure internal(Throwable t) {
            return new Failure(CommandLine.ExitCode.SOFTWARE, "internal error: " + t.getClass().getSimpleName()
                    + (t.getMessage() != null ? ": " + firstLine(t.getMessage()) : "") + traceNote(t));
        }

        /** Writes the stack trace to a new file in the temporary directory; " (full trace in FILE)" or "". */
        static String traceNote(Throwable t) {
            try {
                Path f = Files.createTempFile("winnow-error-", ".txt");
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                Files.writeString(f, trace.toString());
                return " (full trace in " + f + ")";
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                return "";
            }
        }

        private static String firstLine(String s) {
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }

        private static Failure usage(String message) {
            return new Failure(CommandLine.ExitCode.USAGE, message);
        }

        /** "--model m.wnw: does not exist", or the bare path when no option gave it (a path read from run.json). */
        private static String describe(FileSystemException fs, CommandLine.ParseResult parsed) {
            String reason = fs.getReason() != null ? lowerFirst(fs.getReason())
                    : fs instanceof NoSuchFileException ? "does not exist"
                    : fs instanceof AccessDeniedException ? "permission denied"
                    : fs instanceof FileAlreadyExistsException
                            ? Files.isDirectory(pathOf(fs.getFile())) ? "already exists"
                            : "already exists and is not a directory"
                    : fs instanceof NotDirectoryException ? "is not a directory"
                    : fs instanceof DirectoryNotEmptyException ? "is a directory that is not empty"
                    : "cannot be used";
            // a failed move names its temporary source first and the target the user gave second
            if (fs.getOtherFile() != null) {
                Path target = pathOf(fs.getOtherFile()).toAbsolutePath().normalize();
                for (String[] o : pathOptions(parsed)) {
                    if (target.equals(pathOf(o[1]).toAbsolutePath().normalize())) {
                        return named(o) + ": " + reason;
                    }
                }
                reason = "(with " + fs.getOtherFile() + ") " + reason;
            }
            Path file = pathOf(fs.getFile()).toAbsolutePath().normalize();
            // the option that names the file itself first; else one naming a directory above it
            for (String[] o : pathOptions(parsed)) {
                if (file.equals(pathOf(o[1]).toAbsolutePath().normalize())) {
                    return named(o) + ": " + reason;
                }
            }
            for (String[] o : pathOptions(parsed)) {
                if (file.startsWith(pathOf(o[1]).toAbsolutePath().normalize())) {
                    return named(o) + ": " + fs.getFile() + ": " + reason;
                }
            }
            return fs.getFile() + ": " + reason;
        }

        /** "--model m.wnw" for an option, the bare value for a positional parameter. */
        private static String named(String[] option) {
            return option[0] == null ? option[1] : option[0] + " " + option[1];
        }

        /**
         * Every option and positional value given on the command line as {name, value} (name null for a positional);
         * '-' (a stream) is left out.
         */
        private static List<String[]> pathOptions(CommandLine.ParseResult parsed) {
            List<String[]> out = new ArrayList<>();
            if (parsed == null) {
                return out;
            }
            for (CommandLine.Model.OptionSpec o : parsed.matchedOptions()) {
                for (String v : o.originalStringValues()) {
                    out.add(new String[] {o.longestName(), v});
                }
            }
            for (CommandLine.Model.PositionalParamSpec p : parsed.matchedPositionals()) {
                for (String v : p.originalStringValues()) {
                    out.add(new String[] {null, v});
                }
            }
            out.removeIf(o -> o[1].isEmpty() || o[1].equals("-") || pathOf(o[1]).toString().isEmpty());
            return out;
        }

        private static Path pathOf(String s) {
            try {
                return Path.of(s);
            } catch (InvalidPathException e) {
                return Path.of("");
            }
        }

        private static String lowerFirst(String s) {
            return s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))
                    ? s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1) : s;
        }
    }

    /**
     * Refuses, before any work, an output directory that cannot be written: a path that exists and is not a
     * directory, one whose parent is a file, or one that cannot be created or written (a read-only place such as
     * /proc). Missing directories are created to find out and removed again, so a refused or failed run leaves
     * nothing behind.
     */
    static void checkOutputDirectory(String option, Path dir) {
        String where = option + " " + dir + ": ";
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(where + "exists and is not a directory; name a new or an existing "
                    + "directory");
        }
        Path existing = dir.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        while (existing != null && !Files.exists(existing)) {
            missing.add(existing);
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(where + existing + " is a file, not a directory");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".winnow-write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            String why = e instanceof FileSystemException fs && fs.getReason() != null
                    ? " (" + Failure.lowerFirst(fs.getReason()) + ")"
                    : e instanceof AccessDeniedException ? " (permission denied)" : "";
            throw new IllegalArgumentException(where + "cannot create the directory or write files in it" + why
                    + "; name a writable place");
        } finally {
            for (Path p : missing) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // not empty or not ours any more: leave it
                }
            }
        }
    }
}
