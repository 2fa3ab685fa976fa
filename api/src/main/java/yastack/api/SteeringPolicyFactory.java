package yastack.api;

/**
 * Service interface of RSS steering policies, referenced as
 * {@code stack.rss.steering: NAME}. {@link #create} runs once per stack.
 */
public interface SteeringPolicyFactory extends PluginFactory<SteeringPolicy> {}
