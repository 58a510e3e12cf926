package boucle.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that fails on purpose: it runs only inside {@link BoucleExtensionTest}'s
 * nested engine (which sets {@value #RUN}), never when a build selects it by name.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(DeliberatelyBad.Condition.class)
@interface DeliberatelyBad {
    String RUN = "boucle.test.runDeliberatelyBadTests";

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(RUN, Boolean::parseBoolean).orElse(false)
                    ? ConditionEvaluationResult.enabled("run by the kit's own tests")
                    : ConditionEvaluationResult.disabled("fails on purpose; run by BoucleExtensionTest");
        }
    }
}
