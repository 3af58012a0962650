package io.understudy.ops.load;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The wire protocols the load generator speaks: the demo service's line protocol, or RESP for Redis. */
enum Protocol {
    /** The demo service: "INCR key\n" is answered by "counter value\n", the counter numbering requests from 1. */
    LINE {
        private final Pattern valueReply = Pattern.compile("(\\d{1,18}) (-?\\d{1,19})");
        private final Pattern errorReply = Pattern.compile("(\\d{1,18}) ERR(?: .*)?");

        @Override
        byte[] incrRequest(final String key) {
            return ("INCR " + key + "\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        ParsedReply parse(final String line) {
            final Matcher value = valueReply.matcher(line);
            if (value.matches()) {
                return valueOrCorrupt(value.group(1), value.group(2));
            }
            final Matcher error = errorReply.matcher(line);
            return error.matches() ? ParsedReply.error(Long.parseLong(error.group(1))) : ParsedReply.corrupt();
        }
    },

    /** Any Redis-compatible server: a RESP array "INCR key" is answered by the integer reply ":value\r\n". */
    RESP {
        private final Pattern valueReply = Pattern.compile(":(-?\\d{1,19})\r");
        private final Pattern errorReply = Pattern.compile("-.*\r");

        @Override
        byte[] incrRequest(final String key) {
            final String request = "*2\r\n$4\r\nINCR\r\n$" + key.length() + "\r\n" + key + "\r\n";
            return request.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        ParsedReply parse(final String line) {
            final Matcher value = valueReply.matcher(line);
            if (value.matches()) {
                return valueOrCorrupt(null, value.group(1));
            }
            return errorReply.matcher(line).matches() ? ParsedReply.error(ParsedReply.NO_COUNTER)
                    : ParsedReply.corrupt();
        }
    };

    /** @return the bytes of one INCR request on key (ISO-8859-1, so one char is one byte) */
    abstract byte[] incrRequest(String key);

    /** @param line one reply line without its "\n" (a "\r" before it is kept, RESP requires it) */
    abstract ParsedReply parse(String line);

    /** @return the name used on the command line and in the report */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static ParsedReply valueOrCorrupt(final String counter, final String value) {
        try {
            // Nineteen digits can still overflow a long: such a reply is as wrong as any other garbage.
            return ParsedReply.value(counter == null ? ParsedReply.NO_COUNTER : Long.parseLong(counter),
                    Long.parseLong(value));
        } catch (final NumberFormatException ex) {
            return ParsedReply.corrupt();
        }
    }
}
