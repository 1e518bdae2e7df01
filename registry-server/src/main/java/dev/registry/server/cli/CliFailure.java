package dev.registry.server.cli;

/**
 * A command that could not do its work: one line for stderr and the process's exit code
 * (docs/operations.md, "CLI"): 1 the registry refused or failed it, 2 bad usage, 3 the admin
 * token or app credentials were missing or refused, 4 the registry could not be reached.
 */
final class CliFailure extends RuntimeException {
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int DENIED = 3;
    static final int UNREACHABLE = 4;

    final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
