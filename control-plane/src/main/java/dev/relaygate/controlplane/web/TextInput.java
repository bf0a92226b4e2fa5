package dev.relaygate.controlplane.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Every text Jackson reads (request bodies included) is refused while it is read when it holds a NUL character or an
 * unpaired surrogate ({@link UnstorableText}): PostgreSQL would refuse it later with a 500 (issue #18), and the
 * answer could not name the field then.
 */
@Configuration(proxyBeanMethods = false)
class TextInput {

    @Bean
    JacksonModule storableTextModule() {
        return new SimpleModule("relaygate-storable-text").addDeserializer(String.class, new StorableText());
    }

    /** Jackson's own text deserializer, plus the check. */
    static final class StorableText extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws JacksonException {
            String text = super.deserialize(parser, context);
            if (text != null && !UnstorableText.storable(text)) {
                throw new UnstorableText(parser);
            }
            return text;
        }
    }
}
