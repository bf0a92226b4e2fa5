package dev.relaygate.controlplane.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.validation.MessageInterpolatorFactory;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.annotation.Validated;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

/**
 * Binds and validates every {@code @ConfigurationProperties} record of a package against the environment, as
 * Spring does at start-up, but without stopping at the first bad property: conversion failures (a word where a
 * duration belongs, an unknown enum constant, a malformed URL) and constraint violations (a negative timeout, a URL
 * without a host) are all collected, one per property.
 */
final class ConfigurationProblems {

    private ConfigurationProblems() {
    }

    /** Every problem, by property name; {@code failure} (what stopped the start-up) is always among them. */
    static List<ConfigurationProblem> of(Environment environment, String basePackage, BindException failure) {
        Map<String, ConfigurationProblem> problems = new LinkedHashMap<>();
        Origins origins = new Origins(environment);
        Binder binder = Binder.get(environment);
        try (LocalValidatorFactoryBean validator = validator()) {
            for (Class<?> type : propertiesTypes(basePackage)) {
                ConfigurationProperties annotation = AnnotatedElementUtils.findMergedAnnotation(type,
                        ConfigurationProperties.class);
                Collector collector = new Collector(origins);
                BindHandler handler = AnnotatedElementUtils.hasAnnotation(type, Validated.class)
                        ? new ValidationBindHandler(collector, validator) : collector;
                try {
                    binder.bindOrCreate(annotation.prefix(), Bindable.of(type), handler);
                    collector.problems.forEach(problem -> problems.putIfAbsent(problem.property(), problem));
                }
                catch (BindException bindFailure) {
                    collector.problems.forEach(problem -> problems.putIfAbsent(problem.property(), problem));
                    add(problems, bindFailure, origins);
                }
                catch (RuntimeException unexpected) {
                    // Nothing more to learn from this record; the failure that stopped the start-up is still listed.
                }
            }
        }
        add(problems, failure, origins);
        return problems.values().stream()
            .sorted((a, b) -> a.property().compareTo(b.property()))
            .toList();
    }

    private static void add(Map<String, ConfigurationProblem> problems, BindException failure, Origins origins) {
        if (failure.getCause() instanceof BindValidationException validation) {
            ConfigurationPropertyName name = validation.getValidationErrors().getName();
            for (ObjectError error : validation.getValidationErrors()) {
                String property = error instanceof FieldError field
                        ? name + "." + DataObjectPropertyName.toDashedForm(field.getField()) : name.toString();
                String message = error.getDefaultMessage() == null ? "is invalid" : error.getDefaultMessage();
                problems.putIfAbsent(property, new ConfigurationProblem(property, message, fixFor(message),
                        origins.of(property)));
            }
            return;
        }
        String property = failure.getName().toString();
        ConfigurationProperty bound = failure.getProperty();
        problems.putIfAbsent(property, unreadable(property, failure.getTarget().getType(),
                bound != null && bound.getOrigin() != null ? bound.getOrigin().toString() : origins.of(property)));
    }

    private static ConfigurationProblem unreadable(String property, ResolvableType type, String origin) {
        Class<?> target = type.resolve(Object.class);
        return new ConfigurationProblem(property, "cannot be read as " + typeName(target), "write " + example(target),
                origin);
    }

    private static String typeName(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + constants(type);
        }
        return switch (ClassUtils.resolvePrimitiveIfNecessary(type).getSimpleName()) {
            case "Integer", "Long", "Short" -> "a whole number";
            case "Double", "Float" -> "a number";
            case "Boolean" -> "true or false";
            case "URI", "URL" -> "a URL";
            default -> "a " + type.getSimpleName();
        };
    }

    private static String example(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + constants(type);
        }
        if (type == Duration.class) {
            return "a duration with its unit, such as 500ms, 2s, 5m or 1h";
        }
        if (type == URI.class) {
            return "an absolute URL, such as http://host:8090 (no spaces; percent-encode reserved characters)";
        }
        if (type == DataSize.class) {
            return "a size with its unit, such as 512KB, 64MB or 1GB";
        }
        if (type == Path.class) {
            return "a file system path";
        }
        return typeName(type);
    }

    private static String constants(Class<?> type) {
        return Arrays.stream(type.getEnumConstants())
            .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .collect(Collectors.joining(", "));
    }

    private static String fixFor(String message) {
        if (message.startsWith("must not be")) {
            return "set it";
        }
        if (message.startsWith("must be ")) {
            return "set a value that is " + message.substring("must be ".length());
        }
        return "set a value that satisfies: " + message;
    }

    private static List<Class<?>> propertiesTypes(String basePackage) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Class<?>> types = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
            types.add(ClassUtils.resolveClassName(candidate.getBeanClassName(),
                    ConfigurationProblems.class.getClassLoader()));
        }
        return types;
    }

    private static LocalValidatorFactoryBean validator() {
        LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean();
        validator.setMessageInterpolator(new MessageInterpolatorFactory().getObject());
        validator.afterPropertiesSet();
        return validator;
    }

    /** Notes each value that cannot be converted and binds the rest, so one bad value hides no other. */
    private static final class Collector extends AbstractBindHandler {

        private final List<ConfigurationProblem> problems = new ArrayList<>();

        private final Origins origins;

        Collector(Origins origins) {
            this.origins = origins;
        }

        @Override
        public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
                Exception error) throws Exception {
            if (error instanceof BindValidationException) {
                // Not a value that cannot be read: the constraint violations, which the caller lists one by one.
                throw error;
            }
            ConfigurationProperty property = context.getConfigurationProperty();
            Origin origin = property == null ? null : property.getOrigin();
            problems.add(unreadable(name.toString(), target.getType(),
                    origin != null ? origin.toString() : origins.of(name.toString())));
            return null;
        }
    }

    /** Where a property's value came from, as Spring tracks it. */
    private static final class Origins {

        private final Iterable<ConfigurationPropertySource> sources;

        Origins(Environment environment) {
            this.sources = ConfigurationPropertySources.get(environment);
        }

        String of(String property) {
            if (!ConfigurationPropertyName.isValid(property)) {
                return null;
            }
            ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
            for (ConfigurationPropertySource source : sources) {
                ConfigurationProperty found = source.getConfigurationProperty(name);
                if (found != null) {
                    return found.getOrigin() == null ? null : found.getOrigin().toString();
                }
            }
            return null;
        }
    }
}
