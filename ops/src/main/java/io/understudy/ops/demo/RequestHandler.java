package io.understudy.ops.demo;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Parses one request line of the demo protocol and executes it against the shared store. Commands are case-sensitive
 * upper-case words; arguments are separated by single spaces and a value is the rest of the line.
 */
final class RequestHandler {
    private final KeyValueStore store;
    private final ServerCounters counters;

    RequestHandler(final KeyValueStore store, final ServerCounters counters) {
        this.store = store;
        this.counters = counters;
    }

    /** @param line one request without its "\n" and trailing "\r" */
    Reply handle(final String line) {
        final int space = line.indexOf(' ');
        final String command = space < 0 ? line : line.substring(0, space);
        final String arguments = space < 0 ? null : line.substring(space + 1);
        return switch (command) {
            case "INCR" -> withKey(command, arguments, this::incr);
            case "GET" -> withKey(command, arguments, this::get);
            case "SET" -> withKeyAndValue(command, arguments, this::set);
            case "APPEND" ->
                withKeyAndValue(
                        command, arguments, (key, value) -> Reply.ok(Integer.toString(store.append(key, value))));
            case "DEL" -> withKey(command, arguments, key -> Reply.ok(store.delete(key) ? "1" : "0"));
            case "KEYS" -> arguments == null ? Reply.ok(String.join(" ", store.keys())) : wrongArity(command);
            case "SLEEP" -> withKey(command, arguments, this::sleep);
            case "STATS" -> arguments == null ? Reply.ok(counters.describe()) : wrongArity(command);
            case "QUIT" -> arguments == null ? new Reply("BYE", Reply.AfterReply.CLOSE) : wrongArity(command);
            case "RESET" -> arguments == null ? new Reply("", Reply.AfterReply.ABORT) : wrongArity(command);
            case "" -> Reply.error("empty request");
            default -> Reply.error("unknown command '" + command + "'");
        };
    }

    private Reply incr(final String key) {
        try {
            return Reply.ok(Long.toString(store.incr(key)));
        } catch (final NumberFormatException ex) {
            return Reply.error("value is not an integer");
        } catch (final ArithmeticException ex) {
            return Reply.error("increment would overflow");
        }
    }

    /** Holds this connection's reply for a while: a slow request, to have a reply in flight when a node fails. */
    private Reply sleep(final String millis) {
        final long ms;
        try {
            ms = Long.parseLong(millis);
        } catch (final NumberFormatException ex) {
            return Reply.error("SLEEP takes milliseconds, 0 to " + MAX_SLEEP_MS);
        }
        if (ms < 0 || ms > MAX_SLEEP_MS) {
            return Reply.error("SLEEP takes milliseconds, 0 to " + MAX_SLEEP_MS);
        }
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return Reply.ok("slept " + ms);
    }

    static final long MAX_SLEEP_MS = 60_000;

    private Reply get(final String key) {
        final String value = store.get(key);
        return Reply.ok(value == null ? "(nil)" : value);
    }

    private Reply set(final String key, final String value) {
        store.set(key, value);
        return Reply.ok("OK");
    }

    private static Reply withKey(final String command, final String arguments, final Function<String, Reply> action) {
        if (arguments == null || arguments.isEmpty() || arguments.indexOf(' ') >= 0) {
            return wrongArity(command);
        }
        return action.apply(arguments);
    }

    private static Reply withKeyAndValue(
            final String command, final String arguments, final BiFunction<String, String, Reply> action) {
        final int space = arguments == null ? -1 : arguments.indexOf(' ');
        if (space <= 0) {
            return wrongArity(command);
        }
        return action.apply(arguments.substring(0, space), arguments.substring(space + 1));
    }

    private static Reply wrongArity(final String command) {
        return Reply.error("wrong number of arguments for '" + command + "'");
    }
}
