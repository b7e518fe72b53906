package io.alveolus.persistence.audit;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks an endpoint whose every call (allowed or not) goes into the audit trail. */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Audited {
    /** What was done, e.g. "analysis.read". */
    String value() default "";

    /** What kind of thing, e.g. "analysis"; its id is the {id} path parameter. */
    String resource() default "";
}
