package dev.relaygate.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The properties a service binds, and whether an environment variable sets one of them, by Spring Boot's relaxed
 * binding for environment variables (upper case, {@code _} for {@code .}, no {@code -}, {@code _0_} for {@code [0]}).
 * A property is bound when it is a key of the service's application.yml, a component (recursively) of one of its
 * {@code @ConfigurationProperties} records, or, outside {@code relaygate.*}, a property Spring Boot's own
 * configuration metadata declares.
 */
final class BoundProperties {

    private static final Set<Class<?>> SCALARS = Set.of(String.class, Boolean.class, Integer.class, Long.class,
            Double.class, Float.class, Short.class, Byte.class, Character.class, Duration.class, DataSize.class,
            URI.class, URL.class, Path.class, InetAddress.class, java.util.UUID.class, java.time.Period.class,
            java.nio.charset.Charset.class, java.util.Locale.class, java.math.BigDecimal.class);

    /** Property names with {@code [*]} for an index and {@code *} for a map key. */
    private final Set<String> templates;

    private final List<Pattern> environmentForms = new ArrayList<>();

    private BoundProperties(Set<String> templates) {
        this.templates = Collections.unmodifiableSet(templates);
        for (String template : templates) {
            environmentForms.add(environmentForm(template));
        }
    }

    static BoundProperties of(String basePackage, Map<String, Object> applicationYml) {
        Set<String> templates = new TreeSet<>();
        flatten("", applicationYml, templates);
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
            Class<?> type = load(candidate.getBeanClassName());
            ConfigurationProperties annotation = MergedAnnotations.from(type).get(ConfigurationProperties.class)
                .synthesize();
            String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
            walk(prefix, type, templates);
        }
        templates.addAll(springBootMetadata());
        return new BoundProperties(templates);
    }

    Set<String> templates() {
        return templates;
    }

    /** Whether setting {@code variable} in the environment sets a property the service binds. */
    boolean bindsEnvironmentVariable(String variable) {
        return environmentForms.stream().anyMatch(form -> form.matcher(variable).matches());
    }

    private static void flatten(String prefix, Object value, Set<String> into) {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                flatten(prefix.isEmpty() ? entry.getKey().toString() : prefix + "." + entry.getKey(), entry.getValue(),
                        into);
            }
        }
        else if (value instanceof List<?> list) {
            into.add(prefix);
            for (Object element : list) {
                flatten(prefix + "[*]", element, into);
            }
        }
        else {
            into.add(prefix);
        }
    }

    /** The properties of a {@code @ConfigurationProperties} record (or of a nested one) under {@code prefix}. */
    private static void walk(String prefix, Class<?> type, Set<String> into) {
        if (!type.isRecord()) {
            throw new IllegalStateException(type + " is not a record: teach BoundProperties its JavaBean properties");
        }
        for (RecordComponent component : type.getRecordComponents()) {
            property(prefix + "." + kebab(component.getName()), component.getGenericType(), into);
        }
    }

    private static void property(String name, Type type, Set<String> into) {
        Class<?> raw = raw(type);
        if (isScalar(raw)) {
            into.add(name);
        }
        else if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            Type element = raw.isArray() ? raw.getComponentType() : argument(type, 0);
            if (isScalar(raw(element))) {
                into.add(name);
            }
            property(name + "[*]", element, into);
        }
        else if (Map.class.isAssignableFrom(raw)) {
            property(name + ".*", argument(type, 1), into);
        }
        else if (raw.isRecord()) {
            walk(name, raw, into);
        }
        else {
            into.add(name);
        }
    }

    private static boolean isScalar(Class<?> type) {
        return type.isPrimitive() || type.isEnum() || SCALARS.contains(type);
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static Type argument(Type type, int index) {
        return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
    }

    /** Spring Boot's properties (not ours) from the configuration metadata of every jar on the class path. */
    private static Set<String> springBootMetadata() {
        Set<String> names = new TreeSet<>();
        JsonMapper json = JsonMapper.builder().build();
        try {
            var resources = BoundProperties.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json");
            while (resources.hasMoreElements()) {
                try (InputStream in = resources.nextElement().openStream()) {
                    for (JsonNode property : json.readTree(in).path("properties")) {
                        String name = property.path("name").asString();
                        String type = property.path("type").asString("");
                        if (name.startsWith("relaygate.")) {
                            continue;
                        }
                        names.add(name);
                        if (type.startsWith("java.util.Map")) {
                            names.add(name + ".*");
                        }
                        if (type.startsWith("java.util.List") || type.startsWith("java.util.Set") || type.endsWith("[]")) {
                            names.add(name + "[*]");
                        }
                    }
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code relaygate.chains[*].upstreams[*].url} → {@code RELAYGATE_CHAINS_[0-9]+_UPSTREAMS_[0-9]+_URL}. */
    static Pattern environmentForm(String template) {
        StringBuilder regex = new StringBuilder();
        String[] segments = template.split("\\.");
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (i > 0) {
                regex.append('_');
            }
            if (segment.equals("*")) {
                // A map key: one segment, or the rest of the name when it is the last one.
                regex.append(i == segments.length - 1 ? "[A-Z0-9_]+" : "[A-Z0-9]+");
                continue;
            }
            String[] indexed = segment.split("\\[\\*]", -1);
            regex.append(Pattern.quote(indexed[0].replace("-", "").toUpperCase(java.util.Locale.ROOT)));
            for (int k = 1; k < indexed.length; k++) {
                regex.append("_[0-9]+");
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        }
        catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
