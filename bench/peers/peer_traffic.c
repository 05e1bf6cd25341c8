// Traffic for bench/bench_peers.sh, run inside the bench's namespaces.
//
//   peer_traffic udp IFNAME SRC_MAC DST_MAC SRC_IP DST_IP DPORT FLOWS SECONDS
//     Sends 64-byte UDP frames out of IFNAME as fast as the kernel takes
//     them: an XDP program that returns XDP_TX, run with BPF_PROG_RUN in
//     live-frame mode (BPF_F_TEST_XDP_LIVE_FRAMES), transmits each run's
//     frame from IFNAME, so no socket, qdisc or routing cost is in the way.
//     The program gives each frame a random source port among FLOWS
//     (rounded up to a power of two). Prints the frames sent and the
//     seconds it took.
//   peer_traffic tc-empty IFNAME
//     Attaches an empty tc ingress program (the cost of being a tc
//     program at all) to IFNAME.
//   peer_traffic tcp-sink PORT
//     Accepts TCP connections on PORT and closes them, until killed.
//   peer_traffic tcp-connect DST_IP PORT SECONDS
//     Opens and closes TCP connections to DST_IP:PORT one after another
//     (SO_LINGER 0, so no TIME_WAIT piles up); prints the connections made
//     and the seconds it took.
//
// xdp-trafficgen (xdp-tools 1.3.1) would do the first, but it does not load
// on this kernel: it expects a tracepoint the kernel removed.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
  kFrameLen = 60,   // 64 bytes on the wire with the FCS
  kBatch = 64,      // frames per transmit batch
  kRepeat = 8192,   // frames per BPF_PROG_RUN call (the page pool's setup is paid per call)
};

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *text, uint8_t mac[6]) {
  unsigned v[6];
  if (sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
  for (int i = 0; i < 6; ++i) mac[i] = (uint8_t)v[i];
  return 0;
}

static uint16_t ip_checksum(const void *data, size_t len) {
  const uint16_t *p = data;
  uint32_t sum = 0;
  for (; len > 1; len -= 2) sum += *p++;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

// An XDP program that writes a random source port (20000 + (random &
// mask), mask = flows - 1) into the UDP frame and returns XDP_TX. Written
// as instructions: the bench needs no BPF compiler.
static int load_xdp_tx(int mask) {
  struct bpf_insn insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_1},  // r6 = ctx
      {.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_get_prandom_u32},
      {.code = BPF_ALU64 | BPF_AND | BPF_K, .dst_reg = BPF_REG_0, .imm = mask},
      {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = 20000},
      {.code = BPF_ALU | BPF_END | BPF_TO_BE, .dst_reg = BPF_REG_0, .imm = 16},
      {.code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_6, .off = 0},  // data
      {.code = BPF_LDX | BPF_W | BPF_MEM, .dst_reg = BPF_REG_3, .src_reg = BPF_REG_6, .off = 4},  // data_end
      {.code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_4, .src_reg = BPF_REG_2},
      {.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_4, .imm = 42},
      {.code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = BPF_REG_4, .src_reg = BPF_REG_3, .off = 1},
      {.code = BPF_STX | BPF_H | BPF_MEM, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_0, .off = 34},  // udp source
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_TX},
      {.code = BPF_JMP | BPF_EXIT},
  };
  return bpf_prog_load(BPF_PROG_TYPE_XDP, "peer_xdp_tx", "GPL", insns, sizeof(insns) / sizeof(insns[0]), NULL);
}

static int send_udp(int argc, char **argv) {
  if (argc != 10) return fprintf(stderr, "usage: udp IFNAME SRC_MAC DST_MAC SRC_IP DST_IP DPORT FLOWS SECONDS\n"), 2;
  unsigned ifindex = if_nametoindex(argv[2]);
  uint8_t frame[kFrameLen] = {0};
  struct ethhdr *eth = (struct ethhdr *)frame;
  struct iphdr *ip = (struct iphdr *)(eth + 1);
  struct udphdr *udp = (struct udphdr *)(ip + 1);
  if (!ifindex || parse_mac(argv[3], eth->h_source) || parse_mac(argv[4], eth->h_dest) ||
      inet_pton(AF_INET, argv[5], &ip->saddr) != 1 || inet_pton(AF_INET, argv[6], &ip->daddr) != 1)
    return fprintf(stderr, "peer_traffic: bad interface, MAC or address\n"), 2;
  int dport = atoi(argv[7]), flows = atoi(argv[8]);
  double seconds = atof(argv[9]);
  if (flows < 1) flows = 1;
  eth->h_proto = htons(ETH_P_IP);
  ip->version = 4;
  ip->ihl = 5;
  ip->ttl = 64;
  ip->protocol = IPPROTO_UDP;
  ip->tot_len = htons(kFrameLen - sizeof(*eth));
  ip->check = ip_checksum(ip, sizeof(*ip));
  udp->dest = htons((uint16_t)dport);
  udp->len = htons(kFrameLen - sizeof(*eth) - sizeof(*ip));
  udp->check = 0;  // optional over IPv4

  int mask = 1;
  while (mask < flows) mask <<= 1;
  int prog = load_xdp_tx(mask - 1);
  if (prog < 0) return fprintf(stderr, "peer_traffic: loading the XDP_TX program: %s\n", strerror(errno)), 1;
  struct xdp_md ctx = {.data_end = kFrameLen, .ingress_ifindex = ifindex};
  unsigned long long sent = 0;
  double start = now_seconds(), end = start + seconds;
  udp->source = htons(20000);
  while (now_seconds() < end) {
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = kFrameLen, .ctx_in = &ctx,
                .ctx_size_in = sizeof(ctx), .repeat = kRepeat, .batch_size = kBatch,
                .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
    if (bpf_prog_test_run_opts(prog, &opts) != 0)
      return fprintf(stderr, "peer_traffic: BPF_PROG_RUN (live frames): %s\n", strerror(errno)), 1;
    sent += kRepeat;
  }
  printf("%llu %.6f\n", sent, now_seconds() - start);
  return 0;
}

static int tcp_sink(int argc, char **argv) {
  if (argc != 3) return fprintf(stderr, "usage: tcp-sink PORT\n"), 2;
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
  if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4096))
    return fprintf(stderr, "peer_traffic: listen: %s\n", strerror(errno)), 1;
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c >= 0) close(c);
  }
}

static int tcp_connect(int argc, char **argv) {
  if (argc != 5) return fprintf(stderr, "usage: tcp-connect DST_IP PORT SECONDS\n"), 2;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
  if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) return fprintf(stderr, "peer_traffic: bad address\n"), 2;
  double start = now_seconds(), end = start + atof(argv[4]);
  unsigned long long made = 0;
  struct linger no_linger = {.l_onoff = 1, .l_linger = 0};
  while (now_seconds() < end) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger));
    struct timeval tv = {.tv_sec = 1};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) ++made;
    close(s);
  }
  printf("%llu %.6f\n", made, now_seconds() - start);
  return 0;
}

// The baseline: a tc ingress program that returns TC_ACT_OK and does
// nothing else. The filter outlives this process (tc holds the program);
// `tc qdisc del dev IFNAME clsact` removes it.
static int attach_empty_tc(int argc, char **argv) {
  if (argc != 3) return fprintf(stderr, "usage: tc-empty IFNAME\n"), 2;
  struct bpf_insn insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},  // TC_ACT_OK
      {.code = BPF_JMP | BPF_EXIT},
  };
  int prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "peer_tc_empty", "GPL", insns, 2, NULL);
  if (prog < 0) return fprintf(stderr, "peer_traffic: loading the empty tc program: %s\n", strerror(errno)), 1;
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)if_nametoindex(argv[2]), .attach_point = BPF_TC_INGRESS);
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST) return fprintf(stderr, "peer_traffic: clsact on %s: %s\n", argv[2], strerror(-err)), 1;
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog);
  if ((err = bpf_tc_attach(&hook, &opts)))
    return fprintf(stderr, "peer_traffic: attaching to %s: %s\n", argv[2], strerror(-err)), 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "tc-empty") == 0) return attach_empty_tc(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "udp") == 0) return send_udp(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "tcp-sink") == 0) return tcp_sink(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "tcp-connect") == 0) return tcp_connect(argc, argv);
  fprintf(stderr, "usage: peer_traffic udp|tc-empty|tcp-sink|tcp-connect ...\n");
  return 2;
}
