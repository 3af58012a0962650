package io.understudy.ops.load;

import java.util.Locale;
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
        throw new TypeConversionException("expected line or resp but was '" + value + "'");
    }
}
