package dev.registry.examples.dubbo;

/** The service both sides share: providers answer {@code hello <who> from <provider name>}. */
public interface GreetingService {
    String greet(String who);
}
