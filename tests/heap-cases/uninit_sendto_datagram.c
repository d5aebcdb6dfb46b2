// EXPECT: uninitialised-read
// EXPECT-LINE: 19
// A datagram sent with sendto whose payload was allocated but never filled in.
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) != 0)
        return 2;
    unsigned char* packet = malloc(48);
    packet[0] = 1;
    packet[1] = 0;
    packet[2] = 48;
    packet[3] = 0;
    ssize_t n = sendto(pair[0], packet, 48, 0, NULL, 0); // BUG
    char sink[64];
    recv(pair[1], sink, sizeof sink, 0);
    close(pair[0]);
    close(pair[1]);
    free(packet);
    return n == 48 ? 0 : 1;
}
