package dev.relaygate.controlplane.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A configured {@link Duration} that must be longer than zero: a timeout or an interval of zero or less would fail
 * every call or spin. {@code null} is valid (pair it with {@code @NotNull} when required).
 */
@Documented
@Constraint(validatedBy = PositiveDuration.Validator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
public @interface PositiveDuration {

    String message() default "must be a positive duration, such as 500ms, 2s or 5m";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks {@link PositiveDuration}. */
    final class Validator implements ConstraintValidator<PositiveDuration, Duration> {

        @Override
        public boolean isValid(Duration value, ConstraintValidatorContext context) {
            return value == null || value.isPositive();
        }
    }
}
