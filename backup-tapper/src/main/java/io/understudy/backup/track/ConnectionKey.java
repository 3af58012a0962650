package io.understudy.backup.track;

/**
 * A connection's 4-tuple, oriented: the client is the side not on a service port.
 */
public record ConnectionKey(int clientAddress, int clientPort, int serverAddress, int serverPort) {
    public String client() {
        return TcpSegment.address(clientAddress) + ":" + clientPort;
    }

    public String server() {
        return TcpSegment.address(serverAddress) + ":" + serverPort;
    }

    @Override
    public String toString() {
        return client() + " -> " + server();
    }
}
