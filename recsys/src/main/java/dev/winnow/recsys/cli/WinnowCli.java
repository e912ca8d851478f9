package dev.winnow.recsys.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

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
            if (ex instanceof IllegalArgumentException) {
                commandLine.getErr().println("winnow " + commandLine.getCommandName() + ": " + ex.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            commandLine.getErr().println("winnow " + commandLine.getCommandName() + ": "
                    + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + spec.subcommands().keySet());
    }
}
