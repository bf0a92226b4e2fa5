package dev.relaygate.controlplane.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.Arrays;
import java.util.Locale;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A configured {@link URI} that must be absolute, with a host and one of {@link #schemes()}: {@code localhost:8090}
 * or {@code /path} parse as URIs but name nothing to connect to. {@code null} is valid (pair it with
 * {@code @NotNull} when required).
 */
@Documented
@Constraint(validatedBy = AbsoluteUrl.Validator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
public @interface AbsoluteUrl {

    String message() default "must be an absolute URL with a host and the scheme {schemes}";

    /** Schemes allowed, lower case. */
    String[] schemes() default { "http", "https" };

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks {@link AbsoluteUrl}. */
    final class Validator implements ConstraintValidator<AbsoluteUrl, URI> {

        private String[] schemes;

        @Override
        public void initialize(AbsoluteUrl constraint) {
            this.schemes = constraint.schemes();
        }

        @Override
        public boolean isValid(URI value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            String scheme = value.getScheme();
            return value.isAbsolute() && value.getHost() != null && scheme != null
                    && Arrays.asList(schemes).contains(scheme.toLowerCase(Locale.ROOT));
        }
    }
}
