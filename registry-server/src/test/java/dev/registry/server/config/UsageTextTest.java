package dev.registry.server.config;

import dev.registry.server.RegistryServerMain;
import dev.registry.server.cli.RegistryCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --help} of the server and of every CLI command renders without picocli warnings: a bare
 * '%' in a description is a format specifier to picocli, which then prints "[picocli WARN]"
 * lines before the usage (as the server's --help once did for "5% of its clients").
 */
class UsageTextTest {

    private static String stderrWhile(Runnable r) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    private static void assertCleanUsage(CommandLine cl) {
        String[] usage = new String[1];
        String err = stderrWhile(() -> usage[0] = cl.getUsageMessage());
        assertThat(err).as(cl.getCommandName()).doesNotContain("picocli WARN");
        assertThat(usage[0]).as(cl.getCommandName()).doesNotContain("%n").isNotBlank();
        cl.getSubcommands().values().forEach(UsageTextTest::assertCleanUsage);
    }

    @Test
    void theServersAndTheCliHelpPrintNoFormatWarnings() {
        CommandLine server = new CommandLine(new RegistryServerMain());
        assertCleanUsage(server);
        assertThat(server.getUsageMessage().replaceAll("\\s+", " ")).contains("5% of its clients");
        CommandLine cli = new CommandLine(new RegistryCli());
        assertThat(cli.getSubcommands()).isNotEmpty();
        assertCleanUsage(cli);
    }
}
