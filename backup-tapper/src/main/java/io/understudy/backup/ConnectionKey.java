package io.understudy.backup;

/**
 * A connection's 4-tuple, oriented: the client is the side not on a service port.
 */
record ConnectionKey(int clientAddress, int clientPort, int serverAddress, int serverPort) {
    String client() {
        return TcpSegment.address(clientAddress) + ":" + clientPort;
    }

    String server() {
        return TcpSegment.address(serverAddress) + ":" + serverPort;
    }

    @Override
    public String toString() {
        return client() + " -> " + server();
    }
}
