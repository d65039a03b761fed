/*
 * Tiny usrsctp (libusrsctp-dev) peer for the interop tests, over UDP encapsulation (RFC 6951).
 *
 *   whole_echo server <local_udp_port>
 *       Listens on SCTP port 7 and echoes every *whole* message (reads are gathered until MSG_EOR,
 *       per stream) on the same stream with the same PPID. Unlike /usr/lib/usrsctp/echo_server,
 *       which echoes only the read that carries MSG_EOR and silently drops the earlier reads of a
 *       message larger than its 10240-octet buffer.
 *   whole_echo client <local_udp_port> <remote_udp_port> <sctp_port> <count> <streams> <seed>
 *       Connects to 127.0.0.1:<sctp_port> (UDP-encapsulated to <remote_udp_port>), sends <count>
 *       messages of 1 B..64 KiB (message i on stream i % streams, PPID 1000 + i, content and size
 *       derived from seed and i), checks that each echo comes back whole, in order per stream and
 *       byte-identical, then closes. Prints "OK messages=<n> bytes=<b>" and exits 0 on success.
 *
 * Built by test/transport/usrsctp-interop.test.ts into a temporary directory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <usrsctp.h>

#define MAX_MSG 65536
#define MAX_STREAMS 64

static uint32_t seed_g;
static unsigned count_g, streams_g;

static uint32_t mix(uint32_t x) {
	x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
	return x;
}
static size_t msg_size(unsigned i) {
	static const size_t fixed[] = {1, 2, 100, 1200, 10240, 10241, 65536};
	if (i % 3 == 0) return fixed[(i / 3) % 7];
	return 1 + mix(seed_g * 7919U + i) % MAX_MSG;
}
static uint8_t msg_byte(unsigned i, size_t k) { return (uint8_t)mix(seed_g ^ (i * 2654435761U) ^ (uint32_t)(k * 40503U)); }

static void die(const char *what) { perror(what); exit(2); }

/* Reads one whole message (gathering partial deliveries until MSG_EOR). Returns its length, 0 on EOF. */
struct gathered { uint8_t *buf; size_t len; };
static ssize_t read_whole(struct socket *sock, struct gathered *per_stream, struct sctp_rcvinfo *out) {
	static uint8_t tmp[MAX_MSG + 1024];
	for (;;) {
		struct sockaddr_in6 from;
		socklen_t fromlen = sizeof from, infolen = sizeof(struct sctp_rcvinfo);
		unsigned infotype = 0;
		int flags = 0;
		struct sctp_rcvinfo rcv;
		memset(&rcv, 0, sizeof rcv);
		ssize_t n = usrsctp_recvv(sock, tmp, sizeof tmp, (struct sockaddr *)&from, &fromlen, &rcv, &infolen, &infotype, &flags);
		if (n <= 0) return n;
		if (flags & MSG_NOTIFICATION) {
			if (!(flags & MSG_EOR)) continue;
			const struct sctp_assoc_change *ac = (const void *)tmp;
			if (ac->sac_type == SCTP_ASSOC_CHANGE && (ac->sac_state == SCTP_COMM_LOST || ac->sac_state == SCTP_SHUTDOWN_COMP)) return 0;
			continue;
		}
		if (infotype != SCTP_RECVV_RCVINFO || rcv.rcv_sid >= MAX_STREAMS) { fprintf(stderr, "bad rcvinfo\n"); exit(3); }
		struct gathered *g = &per_stream[rcv.rcv_sid];
		if (g->buf == NULL && (g->buf = malloc(4 * MAX_MSG)) == NULL) die("malloc");
		if (g->len + (size_t)n > 4 * MAX_MSG) { fprintf(stderr, "message too large\n"); exit(3); }
		memcpy(g->buf + g->len, tmp, (size_t)n);
		g->len += (size_t)n;
		if (flags & MSG_EOR) { *out = rcv; return (ssize_t)g->len; }
	}
}

static void subscribe(struct socket *sock) {
	const int on = 1;
	struct sctp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_on = 1;
	ev.se_type = SCTP_ASSOC_CHANGE;
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev) < 0) die("SCTP_EVENT");
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on) < 0) die("SCTP_RECVRCVINFO");
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on) < 0) die("SCTP_NODELAY");
	struct sctp_initmsg init;
	memset(&init, 0, sizeof init);
	init.sinit_num_ostreams = MAX_STREAMS;
	init.sinit_max_instreams = MAX_STREAMS;
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init) < 0) die("SCTP_INITMSG");
	struct sctp_rtoinfo rto; /* quick recovery through the lossy relay */
	memset(&rto, 0, sizeof rto);
	rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
	rto.srto_initial = 300;
	rto.srto_min = 100;
	rto.srto_max = 2000;
	if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto) < 0) die("SCTP_RTOINFO");
	int buf = 1 << 20;
	usrsctp_setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	usrsctp_setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
}

static int send_msg(struct socket *sock, const void *data, size_t len, uint16_t sid, uint32_t ppid_net, sctp_assoc_t assoc) {
	struct sctp_sndinfo snd;
	memset(&snd, 0, sizeof snd);
	snd.snd_sid = sid;
	snd.snd_ppid = ppid_net;
	snd.snd_assoc_id = assoc;
	for (;;) {
		if (usrsctp_sendv(sock, data, len, NULL, 0, &snd, sizeof snd, SCTP_SENDV_SNDINFO, 0) >= 0) return 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) { usleep(1000); continue; }
		return -1;
	}
}

static int run_server(void) {
	struct socket *sock = usrsctp_socket(AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (sock == NULL) die("usrsctp_socket");
	const int on = 1;
	usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_I_WANT_MAPPED_V4_ADDR, &on, sizeof on);
	subscribe(sock);
	struct sockaddr_in6 addr;
	memset(&addr, 0, sizeof addr);
	addr.sin6_family = AF_INET6;
	addr.sin6_port = htons(7);
	addr.sin6_addr = in6addr_any;
	if (usrsctp_bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0) die("usrsctp_bind");
	if (usrsctp_listen(sock, 1) < 0) die("usrsctp_listen");
	printf("LISTENING\n");
	fflush(stdout);
	static struct gathered per_stream[MAX_STREAMS];
	for (;;) {
		struct sctp_rcvinfo rcv;
		ssize_t n = read_whole(sock, per_stream, &rcv);
		if (n < 0) die("usrsctp_recvv");
		if (n == 0) { for (int s = 0; s < MAX_STREAMS; s++) per_stream[s].len = 0; continue; } /* association gone: wait for the next */
		struct gathered *g = &per_stream[rcv.rcv_sid];
		if (send_msg(sock, g->buf, g->len, rcv.rcv_sid, rcv.rcv_ppid, rcv.rcv_assoc_id) < 0) perror("usrsctp_sendv");
		g->len = 0;
	}
	return 0; /* not reached */
}

static struct socket *csock;
static unsigned long long got_bytes;
static int verify_failed;

static void *client_reader(void *arg) {
	(void)arg;
	static struct gathered per_stream[MAX_STREAMS];
	unsigned next[MAX_STREAMS];
	for (unsigned s = 0; s < MAX_STREAMS; s++) next[s] = s;
	for (unsigned got = 0; got < count_g; got++) {
		struct sctp_rcvinfo rcv;
		ssize_t n = read_whole(csock, per_stream, &rcv);
		if (n <= 0) { fprintf(stderr, "echo stream ended after %u messages\n", got); verify_failed = 1; return NULL; }
		unsigned s = rcv.rcv_sid, i = next[s];
		struct gathered *g = &per_stream[s];
		size_t size = msg_size(i);
		int bad = i >= count_g || g->len != size || ntohl(rcv.rcv_ppid) != 1000 + i;
		for (size_t k = 0; !bad && k < size; k++) bad = g->buf[k] != msg_byte(i, k);
		if (bad) {
			fprintf(stderr, "bad echo on stream %u: expected message %u (%zu octets), got %zu octets ppid %u\n", s, i, size, g->len, ntohl(rcv.rcv_ppid));
			verify_failed = 1;
			return NULL;
		}
		got_bytes += g->len;
		g->len = 0;
		next[s] += streams_g;
	}
	return NULL;
}

static int run_client(int remote_udp, int sctp_port) {
	csock = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (csock == NULL) die("usrsctp_socket");
	subscribe(csock);
	struct sctp_udpencaps encaps;
	memset(&encaps, 0, sizeof encaps);
	encaps.sue_address.ss_family = AF_INET;
	encaps.sue_port = htons((uint16_t)remote_udp);
	if (usrsctp_setsockopt(csock, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &encaps, sizeof encaps) < 0) die("SCTP_REMOTE_UDP_ENCAPS_PORT");
	struct sockaddr_in to;
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)sctp_port);
	to.sin_addr.s_addr = inet_addr("127.0.0.1");
	if (usrsctp_connect(csock, (struct sockaddr *)&to, sizeof to) < 0) die("usrsctp_connect");
	pthread_t reader;
	if (pthread_create(&reader, NULL, client_reader, NULL) != 0) die("pthread_create");
	uint8_t *buf = malloc(MAX_MSG);
	unsigned long long sent_bytes = 0;
	for (unsigned i = 0; i < count_g && !verify_failed; i++) {
		size_t size = msg_size(i);
		for (size_t k = 0; k < size; k++) buf[k] = msg_byte(i, k);
		if (send_msg(csock, buf, size, (uint16_t)(i % streams_g), htonl(1000 + i), 0) < 0) die("usrsctp_sendv");
		sent_bytes += size;
	}
	pthread_join(reader, NULL);
	if (verify_failed || got_bytes != sent_bytes) {
		fprintf(stderr, "FAILED sent=%llu echoed=%llu\n", sent_bytes, got_bytes);
		return 1;
	}
	usrsctp_close(csock); /* graceful SHUTDOWN */
	printf("OK messages=%u bytes=%llu\n", count_g, sent_bytes);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "server") == 0) {
		usrsctp_init((uint16_t)atoi(argv[2]), NULL, NULL);
		usrsctp_sysctl_set_sctp_blackhole(2);
		return run_server();
	}
	if (argc == 8 && strcmp(argv[1], "client") == 0) {
		count_g = (unsigned)atoi(argv[5]);
		streams_g = (unsigned)atoi(argv[6]);
		seed_g = (uint32_t)strtoul(argv[7], NULL, 10);
		if (streams_g == 0 || streams_g > MAX_STREAMS) { fprintf(stderr, "streams must be 1..%d\n", MAX_STREAMS); return 2; }
		usrsctp_init((uint16_t)atoi(argv[2]), NULL, NULL);
		usrsctp_sysctl_set_sctp_blackhole(2);
		int rc = run_client(atoi(argv[3]), atoi(argv[4]));
		for (int k = 0; k < 50 && usrsctp_finish() != 0; k++) usleep(100000);
		return rc;
	}
	fprintf(stderr, "usage: %s server <local_udp_port> | client <local_udp_port> <remote_udp_port> <sctp_port> <count> <streams> <seed>\n", argv[0]);
	return 2;
}
