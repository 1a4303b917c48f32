import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceProvider;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

/**
 * A real Curator service-discovery consumer for the interop tests (docs/DESIGN.md §5): Curator's own
 * ServiceDiscovery with its default serializer (JsonInstanceSerializer, payload class Object), as a
 * Java app uses it. Prints JSON on stdout; Curator's exceptions go to stderr with a non-zero exit.
 *
 * <pre>
 * query    &lt;connect&gt; &lt;basePath&gt; &lt;service&gt; [--payload-class=CLASS]
 * provider &lt;connect&gt; &lt;basePath&gt; &lt;service&gt;
 * names    &lt;connect&gt; &lt;basePath&gt;
 * register &lt;connect&gt; &lt;basePath&gt; &lt;service&gt; &lt;id&gt; &lt;address&gt; &lt;port&gt; &lt;DYNAMIC|PERMANENT&gt; [payloadJson]
 *          [--ssl-port=N] [--uri-spec=TEMPLATE] [--disabled] [--keep]
 * </pre>
 *
 * query prints [{id, name, address, port, sslPort, payload, payloadClass, registrationTimeUTC,
 * serviceType, uriSpec (built with buildUriSpec()), enabled}]. With --payload-class it queries as a
 * typed app does, ServiceDiscoveryBuilder.builder(CLASS): every payload must then deserialize to
 * that class (Jackson follows the payload's "@class"), or the whole query fails with Curator's
 * ClassCastException. provider prints the same fields for what a ServiceProvider of the service
 * routes to (getAllInstances, with the provider's default filters: Curator 5 drops instances
 * whose enabled is false). register prints {"registered": id}; --disabled registers the instance
 * drained (enabled false), written in Curator 5's format: Curator's default serializer writes the
 * 4.x format, which has no enabled field
 * and lives until stdin closes or SIGTERM; then it closes the ServiceDiscovery, which unregisters
 * its instances (PERMANENT ones too), and the session. With --keep it only closes the session, so
 * a PERMANENT instance outlives the process. The session timeout is -Dcurator.sessionTimeoutMs
 * (default 3000).
 */
public final class CuratorDiscovery {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SESSION_TIMEOUT_MS = Integer.getInteger("curator.sessionTimeoutMs", 3000);

  private CuratorDiscovery() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      // Exit even when a Curator thread is still alive, so a failure never hangs the harness.
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length < 3) usage();
    String command = args[0];
    String connect = args[1];
    String basePath = args[2];
    List<String> positional = new ArrayList<>();
    LinkedHashMap<String, String> options = new LinkedHashMap<>();
    for (int i = 3; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        int eq = a.indexOf('=');
        options.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "" : a.substring(eq + 1));
      } else {
        positional.add(a);
      }
    }
    switch (command) {
      case "query":
        if (positional.size() != 1) usage();
        withDiscovery(
            connect,
            basePath,
            payloadClass(options.get("payload-class")),
            d -> print(instancesJson(d.queryForInstances(positional.get(0)))));
        break;
      case "provider":
        if (positional.size() != 1) usage();
        withDiscovery(
            connect,
            basePath,
            Object.class,
            d -> {
              try (ServiceProvider<Object> provider =
                  d.serviceProviderBuilder().serviceName(positional.get(0)).build()) {
                // start() returns once the provider's cache holds the service's instances.
                provider.start();
                print(instancesJson(provider.getAllInstances()));
              }
            });
        break;
      case "names":
        if (!positional.isEmpty()) usage();
        withDiscovery(connect, basePath, Object.class, d -> print(JSON.valueToTree(d.queryForNames())));
        break;
      case "register":
        if (positional.size() < 5 || positional.size() > 6) usage();
        register(connect, basePath, positional, options);
        break;
      default:
        usage();
    }
  }

  private interface DiscoveryAction {
    void run(ServiceDiscovery<Object> discovery) throws Exception;
  }

  private static CuratorFramework connect(String connect) throws InterruptedException {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(SESSION_TIMEOUT_MS)
            .connectionTimeoutMs(SESSION_TIMEOUT_MS)
            .retryPolicy(new RetryNTimes(3, 500))
            .build();
    client.start();
    if (!client.blockUntilConnected(20, TimeUnit.SECONDS)) {
      client.close();
      throw new IllegalStateException("could not connect to ZooKeeper at " + connect);
    }
    return client;
  }

  private static ServiceDiscovery<Object> discovery(
      CuratorFramework client, String basePath, Class<Object> payloadClass) {
    return ServiceDiscoveryBuilder.builder(payloadClass).client(client).basePath(basePath).build();
  }

  /** The payload class a typed app names (e.g. interop.Details); Object when absent, as untyped apps use. */
  @SuppressWarnings("unchecked")
  private static Class<Object> payloadClass(String name) throws ClassNotFoundException {
    return name == null ? Object.class : (Class<Object>) Class.forName(name);
  }

  private static void withDiscovery(
      String connect, String basePath, Class<Object> payloadClass, DiscoveryAction action) throws Exception {
    try (CuratorFramework client = connect(connect);
        ServiceDiscovery<Object> discovery = discovery(client, basePath, payloadClass)) {
      discovery.start();
      action.run(discovery);
    }
  }

  private static ArrayNode instancesJson(Collection<ServiceInstance<Object>> instances) {
    ArrayNode out = JSON.createArrayNode();
    for (ServiceInstance<Object> i : instances) {
      ObjectNode o = out.addObject();
      o.put("id", i.getId());
      o.put("name", i.getName());
      o.put("address", i.getAddress());
      o.set("port", JSON.valueToTree(i.getPort()));
      o.set("sslPort", JSON.valueToTree(i.getSslPort()));
      o.set("payload", JSON.valueToTree(i.getPayload()));
      o.put("payloadClass", i.getPayload() == null ? null : i.getPayload().getClass().getName());
      o.put("registrationTimeUTC", i.getRegistrationTimeUTC());
      o.put("serviceType", i.getServiceType() == null ? null : i.getServiceType().name());
      o.put("uriSpec", i.getUriSpec() == null ? null : i.buildUriSpec());
      o.put("enabled", i.isEnabled());
    }
    return out;
  }

  private static void register(
      String connect, String basePath, List<String> positional, LinkedHashMap<String, String> options)
      throws Exception {
    ServiceInstanceBuilder<Object> builder =
        ServiceInstance.builder()
            .name(positional.get(0))
            .id(positional.get(1))
            .address(positional.get(2))
            .port(Integer.parseInt(positional.get(3)))
            .serviceType(ServiceType.valueOf(positional.get(4)));
    if (positional.size() == 6) builder.payload(parsePayload(positional.get(5)));
    if (options.containsKey("ssl-port")) builder.sslPort(Integer.parseInt(options.get("ssl-port")));
    if (options.containsKey("uri-spec")) builder.uriSpec(new UriSpec(options.get("uri-spec")));
    if (options.containsKey("disabled")) builder.enabled(false);
    ServiceInstance<Object> instance = builder.build();
    boolean keep = options.containsKey("keep");

    CuratorFramework client = connect(connect);
    boolean disabled = options.containsKey("disabled");
    ServiceDiscovery<Object> discovery =
        disabled
            // Curator's default serializer writes the 4.x format, without enabled: a drained
            // instance needs the 5.x format (compatibleSerializationMode false), as Curator's docs say.
            ? ServiceDiscoveryBuilder.builder(Object.class)
                .client(client)
                .basePath(basePath)
                .serializer(new JsonInstanceSerializer<>(Object.class, false))
                .build()
            : discovery(client, basePath, Object.class);
    AtomicBoolean closed = new AtomicBoolean(false);
    Runnable shutdown =
        () -> {
          if (closed.getAndSet(true)) return;
          try {
            if (!keep) discovery.close();
          } catch (IOException e) {
            System.err.println("closing the discovery failed: " + e);
          }
          client.close();
        };
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown));
    discovery.start();
    discovery.registerService(instance);
    ObjectNode ready = JSON.createObjectNode();
    ready.put("registered", instance.getId());
    print(ready);

    InputStream in = System.in;
    byte[] buffer = new byte[256];
    while (in.read(buffer) >= 0) {
      // Only the end of stdin matters: the harness closes it to stop us.
    }
    shutdown.run();
    System.exit(0);
  }

  /** A JSON string becomes a String payload; anything else a Map/List/number, as Jackson reads it. */
  private static Object parsePayload(String json) throws IOException {
    return JSON.readValue(json, Object.class);
  }

  private static void print(Object json) throws IOException {
    System.out.println(JSON.writeValueAsString(json));
    System.out.flush();
  }

  private static void usage() {
    System.err.println(
        "usage: CuratorDiscovery query <connect> <basePath> <service> [--payload-class=CLASS]\n"
            + "       CuratorDiscovery provider <connect> <basePath> <service>\n"
            + "       CuratorDiscovery names <connect> <basePath>\n"
            + "       CuratorDiscovery register <connect> <basePath> <service> <id> <address> <port>"
            + " <DYNAMIC|PERMANENT> [payloadJson] [--ssl-port=N] [--uri-spec=TEMPLATE] [--disabled]"
            + " [--keep]");
    System.exit(2);
  }
}
