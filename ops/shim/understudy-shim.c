/*
 * understudy-shim: makes an app's strong random draws the same on the primary and on the backup's replica
 * (FT-TCP's answer to nondeterminism, for apps that draw per connection at fixed points, as PostgreSQL does).
 *
 * Loaded into the app with LD_PRELOAD on both nodes. It interposes OpenSSL's RAND_bytes. When the calling process
 * holds exactly one connected TCP socket (a PostgreSQL backend; the postmaster while it forks a backend), the draw is
 * derived from a per-connection seed its node hands out on the local socket named by UNDERSTUDY_SHIM_SOCKET:
 *
 *   request   "SEED <the socket's peer port>\n"      (the relay's app-side socket on the primary, the replica's on
 *                                                     the backup: the node knows which client connection it carries)
 *   answer    "SEED <64 hex digits>\n" or "NONE <why>\n"
 *
 * Draw n for that connection is HMAC-SHA256(seed, n | block). The count follows the connection's socket (its inode),
 * not the process: a backend forked by the postmaster goes on from the postmaster's draws for it, so no two draws
 * of one connection repeat, and a new connection on a reused port starts afresh. Anything else (no socket, several, no node, NONE, an
 * error) falls back to the real RAND_bytes, which makes the replica's output differ: the node then reports the
 * connection unprotected, never serves it wrong. No draw is ever weaker than the seed: HMAC under a key from the
 * pair's secret, unique per connection.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FD 1024
#define SEED_BYTES 32

typedef int (*rand_bytes_fn)(unsigned char *, int);
typedef const void *(*evp_md_fn)(void);
typedef unsigned char *(*hmac_fn)(const void *, const void *, int, const unsigned char *, size_t, unsigned char *,
                                  unsigned int *);

static ino_t seed_inode;
static int seed_port = -1;
static unsigned char seed[SEED_BYTES];
static uint64_t draws;

/* Says why a draw fell back to real random, for the first few of a process only: the app's log must not fill with
 * one line per probe connection (a health check's, whose connection is gone before the postmaster draws for it). */
static void say(const char *what, int port) {
    static int said;
    if (++said > 5) {
        return;
    }
    char line[200];
    int n = snprintf(line, sizeof line, "understudy-shim[%d]: %s (peer port %d): real random used\n", (int)getpid(),
                     what, port);
    if (n > 0) {
        ssize_t ignored = write(2, line, (size_t)n);
        (void)ignored;
    }
}

/* The peer port of the one connected TCP socket this process holds, 0 for none or several; *inode set to its
 * socket's inode. */
static int connection_port(ino_t *inode) {
    int port = 0, found = 0;
    for (int fd = 0; fd < MAX_FD; fd++) {
        int type;
        socklen_t len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) {
            continue;
        }
        int accepting = 0;
        len = sizeof accepting;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 && accepting) {
            continue;
        }
        struct sockaddr_storage peer;
        len = sizeof peer;
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0) {
            continue;
        }
        if (peer.ss_family == AF_INET) {
            port = ntohs(((struct sockaddr_in *)&peer)->sin_port);
        } else if (peer.ss_family == AF_INET6) {
            port = ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
        } else {
            continue;
        }
        struct stat status;
        if (fstat(fd, &status) == 0) {
            *inode = status.st_ino;
        }
        found++;
    }
    return found == 1 ? port : 0;
}

static int hex(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Asks the node for the seed of the connection whose app-side peer is port: 0 on success. */
static int fetch_seed(const char *path, int port) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct timeval timeout = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof address.sun_path) {
        close(fd);
        return -1;
    }
    strcpy(address.sun_path, path);
    char line[128];
    int length = snprintf(line, sizeof line, "SEED %d\n", port);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 || write(fd, line, (size_t)length) != length) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < sizeof line - 1) {
        ssize_t n = read(fd, line + got, sizeof line - 1 - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        if (memchr(line, '\n', got)) {
            break;
        }
    }
    close(fd);
    line[got] = 0;
    if (got < 5 + 2 * SEED_BYTES || strncmp(line, "SEED ", 5) != 0) {
        return -1;
    }
    for (int i = 0; i < SEED_BYTES; i++) {
        int high = hex(line[5 + 2 * i]), low = hex(line[6 + 2 * i]);
        if (high < 0 || low < 0) {
            return -1;
        }
        seed[i] = (unsigned char)(high << 4 | low);
    }
    return 0;
}

int RAND_bytes(unsigned char *buf, int num) {
    static rand_bytes_fn real;
    static hmac_fn hmac;
    static evp_md_fn sha256;
    if (!real) {
        real = (rand_bytes_fn)dlsym(RTLD_NEXT, "RAND_bytes");
        hmac = (hmac_fn)dlsym(RTLD_DEFAULT, "HMAC");
        sha256 = (evp_md_fn)dlsym(RTLD_DEFAULT, "EVP_sha256");
    }
    const char *path = getenv("UNDERSTUDY_SHIM_SOCKET");
    if (!path || !*path || num <= 0 || !hmac || !sha256) {
        return real(buf, num);
    }
    ino_t inode = 0;
    int port = connection_port(&inode);
    if (port == 0) {
        return real(buf, num);
    }
    if (seed_port != port || seed_inode != inode) {
        if (fetch_seed(path, port) != 0) {
            say("no seed from the node", port);
            seed_port = -1;
            return real(buf, num);
        }
        seed_port = port;
        seed_inode = inode;
        draws = 0;
    }
    unsigned char input[12], block[32];
    for (int i = 0; i < 8; i++) {
        input[i] = (unsigned char)(draws >> (56 - 8 * i));
    }
    draws++;
    for (uint32_t index = 0, done = 0; done < (uint32_t)num; index++) {
        input[8] = (unsigned char)(index >> 24);
        input[9] = (unsigned char)(index >> 16);
        input[10] = (unsigned char)(index >> 8);
        input[11] = (unsigned char)index;
        unsigned int length = sizeof block;
        if (!hmac(sha256(), seed, SEED_BYTES, input, sizeof input, block, &length)) {
            return real(buf, num);
        }
        uint32_t take = (uint32_t)num - done < length ? (uint32_t)num - done : length;
        memcpy(buf + done, block, take);
        done += take;
    }
    return 1;
}
