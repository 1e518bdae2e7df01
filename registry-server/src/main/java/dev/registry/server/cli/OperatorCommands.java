package dev.registry.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The operator's commands over the admin HTTP API: look at the cluster, drain, switch clients and pushes. */
final class OperatorCommands {
    private OperatorCommands() {
    }

    private static PrintWriter out(CommandLine.Model.CommandSpec spec) {
        return spec.commandLine().getOut();
    }

    @Command(name = "members", mixinStandardHelpOptions = true,
            description = "Meta, data and session servers as the meta leader sees them (--admin: a meta node's admin port).")
    static final class Members implements Callable<Integer> {
        @Mixin
        Admin admin = new Admin();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode m = admin.get("/api/v1/members");
            if (admin.json) {
                Admin.printJson(out(spec), m);
                return 0;
            }
            Table t = new Table("ROLE", "ADDRESS", "STATE", "DETAIL", "LAST SEEN");
            for (JsonNode n : m.path("metaServers")) {
                t.row("meta", n.path("address").asText(), n.path("state").asText(), "",
                        n.path("lastSeenMillisAgo").asLong() + " ms ago");
            }
            for (JsonNode n : m.path("dataServers")) {
                t.row("data", n.path("address").asText(), n.path("state").asText(), "leads " + n.path("slotsLed").asInt()
                        + ", follows " + n.path("slotsFollowed").asInt(), n.path("lastHeartbeatMillisAgo").asLong() + " ms ago");
            }
            for (JsonNode n : m.path("sessionServers")) {
                t.row("session", n.path("address").asText(), n.path("state").asText(),
                        n.path("clientConnections").asInt() + " clients", n.path("lastHeartbeatMillisAgo").asLong() + " ms ago");
            }
            if (t.size() == 0) {
                throw new CliFailure(CliFailure.FAILED, admin.base() + " listed no members: is it a meta node's admin port?");
            }
            t.print(out(spec));
            out(spec).println("slot table epoch " + m.path("slotTableEpoch").asLong()
                    + (m.path("leader").asBoolean() ? "" : " (asked a meta follower)"));
            out(spec).flush();
            return 0;
        }
    }

    @Command(name = "slots", mixinStandardHelpOptions = true,
            description = "The slot table: each slot's leader and followers (--admin: any node's admin port).")
    static final class Slots implements Callable<Integer> {
        @Mixin
        Admin admin = new Admin();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode table = admin.get("/api/v1/slot-table");
            if (admin.json) {
                Admin.printJson(out(spec), table);
                return 0;
            }
            Table t = new Table("SLOT", "LEADER", "FOLLOWERS");
            for (JsonNode s : table.path("slots")) {
                List<String> followers = new ArrayList<>();
                s.path("followers").forEach(f -> followers.add(f.asText()));
                t.row(s.path("slot").asInt(), s.path("leader").asText(null), String.join(",", followers));
            }
            t.print(out(spec));
            out(spec).println("epoch " + table.path("epoch").asLong() + ", " + table.path("slotCount").asInt() + " slots on "
                    + table.path("servers").size() + " data servers");
            out(spec).flush();
            return 0;
        }
    }

    @Command(name = "connections", mixinStandardHelpOptions = true,
            description = "Client connections of a session (--admin: the session's admin port).")
    static final class Connections implements Callable<Integer> {
        @Mixin
        Admin admin = new Admin();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode list = admin.get("/api/v1/connections");
            if (admin.json) {
                Admin.printJson(out(spec), list);
                return 0;
            }
            Table t = new Table("CONNECTION", "CLIENT", "WRITABLE", "PENDING BYTES");
            for (JsonNode c : list) {
                t.row(c.path("id").asText(), c.path("remote").asText().replaceFirst("^/", ""),
                        c.path("writable").asBoolean(), c.path("pendingOutboundBytes").asLong());
            }
            t.print(out(spec));
            out(spec).println(t.size() + " connections");
            out(spec).flush();
            return 0;
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Drains a session (its clients move to other sessions) or a data server (its slots move "
                    + "to others), then it can be stopped. Needs the admin token.")
    static final class Drain implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ROLE", description = "session | data")
        String role;
        @Parameters(index = "1", paramLabel = "ADDRESS", description = "the node's admin address HOST:PORT")
        String address;
        @Mixin
        Admin admin = new Admin();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!role.equals("session") && !role.equals("data")) {
                throw new CliFailure(CliFailure.USAGE, "ROLE must be session or data, not " + role);
            }
            admin.url = (admin.base().startsWith("https://") ? "https://" : "http://") + address;
            JsonNode health = admin.get("/health");
            String actual = health.path("role").asText(health.path("roles").toString());
            if (!actual.contains(role)) {
                throw new CliFailure(CliFailure.USAGE, address + " is not a " + role + " node (it says: " + actual + ")");
            }
            JsonNode answer = admin.post("/api/v1/drain");
            if (admin.json) {
                Admin.printJson(out(spec), answer);
            } else {
                out(spec).println(role + " " + address + " is draining");
                out(spec).flush();
            }
            return 0;
        }
    }

    /** client-off IP / client-on IP. */
    abstract static class ClientSwitch implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IP", description = "the client host's IP address")
        String ip;
        @Mixin
        Admin admin = new Admin();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract boolean off();

        @Override
        public Integer call() {
            JsonNode answer = admin.post("/api/v1/" + (off() ? "client-off" : "client-on") + "?ip="
                    + URLEncoder.encode(ip, StandardCharsets.UTF_8));
            if (admin.json) {
                Admin.printJson(out(spec), answer);
            } else {
                out(spec).println("clients on " + ip + (off() ? " are off: their publishers are withdrawn"
                        : " are on again: their publishers are back"));
                out(spec).flush();
            }
            return 0;
        }
    }

    @Command(name = "client-off", mixinStandardHelpOptions = true,
            description = "Withdraws every publisher of clients on IP (they stay connected). Needs the admin token.")
    static final class ClientOff extends ClientSwitch {
        @Override
        boolean off() {
            return true;
        }
    }

    @Command(name = "client-on", mixinStandardHelpOptions = true,
            description = "Publishes the publishers of clients on IP again. Needs the admin token.")
    static final class ClientOn extends ClientSwitch {
        @Override
        boolean off() {
            return false;
        }
    }

    @Command(name = "push", mixinStandardHelpOptions = true,
            description = "Stops or resumes pushes to subscribers on a session. Needs the admin token.")
    static final class Push implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ACTION", description = "stop | resume")
        String action;
        @Mixin
        Admin admin = new Admin();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!action.equals("stop") && !action.equals("resume")) {
                throw new CliFailure(CliFailure.USAGE, "ACTION must be stop or resume, not " + action);
            }
            JsonNode answer = admin.post("/api/v1/push/" + action);
            if (admin.json) {
                Admin.printJson(out(spec), answer);
            } else {
                out(spec).println("pushes " + (answer.path("pushPaused").asBoolean() ? "stopped" : "resumed") + " on "
                        + admin.base());
                out(spec).flush();
            }
            return 0;
        }
    }
}
