package io.understudy.ops.load;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Turns the --protocol argument into a {@link Protocol}, naming the accepted values when it is wrong. */
final class ProtocolConverter implements ITypeConverter<Protocol> {
    @Override
    public Protocol convert(final String value) {
        for (final Protocol protocol : Protocol.values()) {
            if (protocol.wireName().equals(value.toLowerCase(Locale.ROOT))) {
                return protocol;
            }
        }
        throw new TypeConversionException("expected " + acceptedValues() + " but was '" + value + "'");
    }

    /** @return "line, resp or http": every protocol, in declaration order */
    static String acceptedValues() {
        final String names =
                Arrays.stream(Protocol.values()).map(Protocol::wireName).collect(Collectors.joining(", "));
        final int last = names.lastIndexOf(", ");
        return last < 0 ? names : names.substring(0, last) + " or " + names.substring(last + 2);
    }
}
