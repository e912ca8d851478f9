package dev.winnow.recsys.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code winnow} command line: one subcommand per job. */
@Command(name = "winnow", mixinStandardHelpOptions = true, version = "winnow 0.1.0",
        description = "Trains, prunes, distils and serves small recommender models.",
        subcommands = {TrainCommand.class, CompareCommand.class})
public final class WinnowCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 bad usage. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new WinnowCli());
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
