package dev.registry.bench.agent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the command handlers of one agent process share: the registry driver, how many client
 * connections {@code connect} opened and how large a published value is, and the progress counter
 * that the agent reports to the orchestrator as {@code #p done=<n>} lines.
 *
 * <p>Threading: commands run on threads of their own; {@code connect} sets {@link #clients} and
 * {@link #payload} before the orchestrator sends any command that uses them.
 */
final class AgentContext {
    /** Null for an agent that only opens raw connections ({@code none}). */
    final Driver driver;
    /** This agent's name, part of the values of the publishers that get killed. */
    final String tag;
    final AtomicLong progress = new AtomicLong();
    int clients;
    int payload = 200;

    AgentContext(Driver driver, String tag) {
        this.driver = driver;
        this.tag = tag;
    }

    /** {@code prefix} padded with 'x' to the payload size. */
    String value(String prefix) {
        StringBuilder sb = new StringBuilder(Math.max(payload, prefix.length()));
        sb.append(prefix);
        while (sb.length() < payload) {
            sb.append('x');
        }
        return sb.toString();
    }
}
