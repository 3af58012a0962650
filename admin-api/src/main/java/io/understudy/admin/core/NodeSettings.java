package io.understudy.admin.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * The {@code node:} section of a node's YAML config: who this node is and which service it protects.
 */
public final class NodeSettings {
    @NotBlank
    @JsonProperty
    private String id;

    @NotNull
    @JsonProperty
    private Role role;

    /** The service address (VIP) clients connect to. */
    @NotBlank
    @JsonProperty
    private String serviceAddress;

    @Min(1)
    @Max(65535)
    @JsonProperty
    private int servicePort;

    /** Where this node's own instance of the app listens. */
    @NotBlank
    @JsonProperty
    private String appAddress = "127.0.0.1";

    @Min(1)
    @Max(65535)
    @JsonProperty
    private int appPort;

    @Min(1024)
    @Max(16 * 1024 * 1024)
    @JsonProperty
    private int relayBufferBytes = 64 * 1024;

    @Valid
    @NotNull
    @JsonProperty
    private TapSettings tap = new TapSettings();

    @Valid
    @NotNull
    @JsonProperty
    private EventLogSettings eventLog = new EventLogSettings();

    @Valid
    @NotNull
    @JsonProperty
    private ReplicaSettings replica = new ReplicaSettings();

    /**
     * The nftables table and set of the crash guard (DESIGN.md, "Process crash on a live host"), e.g.
     * "inet understudy_guard" and "authorized"; the relay adds each client it closes on purpose to the set. Empty:
     * no guard.
     */
    @JsonProperty
    private String closeGuardTable = "";

    @JsonProperty
    private String closeGuardSet = "authorized";

    public String getCloseGuardTable() {
        return closeGuardTable;
    }

    public String getCloseGuardSet() {
        return closeGuardSet;
    }

    /**
     * The interface that carries the service address (gratuitous ARP after a claim, ARP probes before one, the
     * duplicate ACKs after a takeover); empty: the tap's interface.
     */
    @NotNull
    @JsonProperty
    private String serviceInterface = "";

    /** The interface that carries the service address: node.serviceInterface, else the tap's interface. */
    public String getServiceInterface() {
        return serviceInterface.isBlank() ? tap.getInterfaceName() : serviceInterface;
    }

    /**
     * Where the node keeps its role and epoch across restarts (file role-epoch); empty: the event log's directory.
     */
    @NotNull
    @JsonProperty
    private String stateDirectory = "";

    /** node.stateDirectory, else the event log's directory. */
    public String getStateDirectory() {
        return stateDirectory.isBlank() ? eventLog.getDirectory() : stateDirectory;
    }

    /** This node's address on the LAN (heartbeat, admin API). */
    @NotBlank
    @JsonProperty
    private String lanAddress;

    @Valid
    @NotNull
    @JsonProperty
    private MembershipSettings membership;

    @Valid
    @NotNull
    @JsonProperty
    private TakeoverSettings takeover;

    @Valid
    @NotNull
    @JsonProperty
    private LogSettings log = new LogSettings();

    /** The app: how the node finds its process, checks it, and restarts it after a handover. */
    @Valid
    @NotNull
    @JsonProperty
    private io.understudy.admin.app.AppSettings app = new io.understudy.admin.app.AppSettings();

    /**
     * Clients the relay holds at once; one more is refused with a RST. Each takes two relay buffers of direct memory,
     * so maxConnections x 2 x relayBufferBytes must fit in the JVM's direct memory (ops/understudy sets 1 GiB).
     */
    @Min(1)
    @Max(1_000_000)
    @JsonProperty
    private int maxConnections = 4096;

    /** The pair's secret: every channel between the two nodes is authenticated and encrypted with it. */
    @Valid
    @NotNull
    @JsonProperty
    private io.understudy.admin.security.SecuritySettings security =
            new io.understudy.admin.security.SecuritySettings();

    public io.understudy.admin.security.SecuritySettings getSecurity() {
        return security;
    }

    /** Lab only: POST /faults/relay-error (token required) kills the relay thread, to test what follows. */
    @JsonProperty
    private boolean faultInjection;

    public io.understudy.admin.app.AppSettings getApp() {
        return app;
    }

    public int getMaxConnections() {
        return maxConnections;
    }

    public boolean isFaultInjection() {
        return faultInjection;
    }

    /** The port the admin API listens on, on both nodes: a drill reaches the peer's API there. */
    @Min(1)
    @Max(65535)
    @JsonProperty
    private int apiPort = 8080;

    public int getApiPort() {
        return apiPort;
    }

    public LogSettings getLog() {
        return log;
    }

    public String getLanAddress() {
        return lanAddress;
    }

    public MembershipSettings getMembership() {
        return membership;
    }

    public TakeoverSettings getTakeover() {
        return takeover;
    }

    public EventLogSettings getEventLog() {
        return eventLog;
    }

    public ReplicaSettings getReplica() {
        return replica;
    }

    public TapSettings getTap() {
        return tap;
    }

    public String getId() {
        return id;
    }

    public Role getRole() {
        return role;
    }

    public String getServiceAddress() {
        return serviceAddress;
    }

    public int getServicePort() {
        return servicePort;
    }

    public String getAppAddress() {
        return appAddress;
    }

    public int getAppPort() {
        return appPort;
    }

    public int getRelayBufferBytes() {
        return relayBufferBytes;
    }
}
