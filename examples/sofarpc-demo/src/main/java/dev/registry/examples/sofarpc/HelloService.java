package dev.registry.examples.sofarpc;

/** The service both sides share: providers answer {@code hello <who> from <provider name>}. */
public interface HelloService {
    String hello(String who);
}
