/*
 * hsbench: runs the handlespace benchmark definitions of bench/handlespace.ts against rsplib's C
 * handlespace (Debian librsplib-dev, library librsphsmgt) and prints one JSON line per cell.
 *
 *   hsbench <policy> <pes> <measurement> <runs> <min-ms> <seed>
 *     policy:      roundRobin | random | leastUsed
 *     measurement: regdereg | rereg | timer | hr1 | hr3 | sync
 *     runs:        timed runs after one warm-up; 0 = driven: after "ready", each input line
 *                  "run" performs one run and prints its ops/s, "quit" ends (bench/handlespace.ts
 *                  interleaves the runs of both implementations this way).
 *
 * The operation sequence is driven by the same xoshiro128** generator as the TypeScript side
 * (src/handlespace/random.ts), so both implementations see identical operations.
 *
 * The Debian package ships no headers for the handlespace library, so the few types and
 * functions used are declared here from rsplib's API (3.x): the management structure is treated
 * as opaque memory, the value structures are declared with rsplib's field layout.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- rsplib types (layout as in rsplib 3.x) ---------------------------------------------- */
#define RSP_MAX_POOLHANDLESIZE 32
struct PoolHandle {
  size_t Size;
  unsigned char Handle[RSP_MAX_POOLHANDLESIZE];
};
struct PoolPolicySettings {
  unsigned int PolicyType, Weight, Load, LoadDegradation, LoadDPF, WeightDPF, Distance;
};
union sockaddr_union {
  struct sockaddr sa;
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
};
struct TransportAddressBlock {
  struct TransportAddressBlock* Next;
  int Protocol;
  uint16_t Port;
  uint16_t Flags;
  size_t Addresses;
  union sockaddr_union AddressArray[];
};
#define RSP_TABF_CONTROLCHANNEL 1
#define RSP_HTEF_START 1
#define RSP_NTE_MAX_POOL_ELEMENT_NODES 1024
struct HandleTableExtract {
  struct PoolHandle LastPoolHandle;
  uint32_t LastPoolElementIdentifier;
  size_t PoolElementNodes;
  void* PoolElementNodeArray[RSP_NTE_MAX_POOL_ELEMENT_NODES];
};

typedef void Handlespace;  /* struct PoolHandlespaceManagement, opaque */
typedef void Element;      /* struct PoolElementNode, opaque */

void poolHandleNew(struct PoolHandle* ph, const unsigned char* handle, size_t size);
void transportAddressBlockNew(struct TransportAddressBlock* tab, int protocol, uint16_t port, uint16_t flags,
                              const union sockaddr_union* addresses, size_t count, size_t maxAddresses);
void poolHandlespaceManagementNew_SimpleRedBlackTree(Handlespace* hs, uint32_t ownId, void* poolDisposer,
                                                     void* elementDisposer, void* disposerData);
void poolHandlespaceManagementClear_SimpleRedBlackTree(Handlespace* hs);
unsigned int poolHandlespaceManagementRegisterPoolElement_SimpleRedBlackTree(
  Handlespace* hs, const struct PoolHandle* ph, uint32_t home, uint32_t peId, unsigned int life,
  const struct PoolPolicySettings* pps, const struct TransportAddressBlock* user,
  const struct TransportAddressBlock* registrator, int sd, int32_t assocId, unsigned long long now,
  Element** element);
unsigned int poolHandlespaceManagementDeregisterPoolElement_SimpleRedBlackTree(Handlespace* hs,
                                                                               const struct PoolHandle* ph,
                                                                               uint32_t peId);
Element* poolHandlespaceManagementFindPoolElement_SimpleRedBlackTree(Handlespace* hs, const struct PoolHandle* ph,
                                                                     uint32_t peId);
void poolHandlespaceManagementRestartPoolElementExpiryTimer_SimpleRedBlackTree(Handlespace* hs, Element* e,
                                                                               unsigned long long timeout);
unsigned int poolHandlespaceManagementHandleResolution_SimpleRedBlackTree(Handlespace* hs,
                                                                          const struct PoolHandle* ph,
                                                                          Element** array, size_t* count,
                                                                          size_t maxItems, size_t maxIncrement);
int poolHandlespaceManagementGetHandleTable_SimpleRedBlackTree(Handlespace* hs, uint32_t home,
                                                               struct HandleTableExtract* extract,
                                                               unsigned int flags, size_t maxElements);
size_t poolHandlespaceManagementGetPoolElements_SimpleRedBlackTree(Handlespace* hs);

/* ---- the generator of src/handlespace/random.ts ------------------------------------------ */
typedef struct {
  uint32_t s[4];
} Rng;

static uint32_t splitmix32(uint32_t* state) {
  *state += 0x9e3779b9u;
  uint32_t z = *state;
  z = (z ^ (z >> 16)) * 0x85ebca6bu;
  z = (z ^ (z >> 13)) * 0xc2b2ae35u;
  return z ^ (z >> 16);
}

static void rngSeed(Rng* r, uint32_t seed) {
  uint32_t state = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix32(&state);
  if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1;
}

static inline uint32_t rotl32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t rngNext(Rng* r) {
  uint32_t* s = r->s;
  const uint32_t result = rotl32(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl32(s[3], 11);
  return result;
}

/* Uniform in [0, bound) for 1 <= bound <= 2^32: Lemire's multiply-and-reject, as Random.nextBelow. */
static inline uint32_t rngBelow(Rng* r, uint64_t bound) {
  for (;;) {
    const uint64_t m = (uint64_t)rngNext(r) * bound;
    const uint32_t low = (uint32_t)m;
    if (low < bound && low < (0x100000000ull - bound) % bound) continue;
    return (uint32_t)(m >> 32);
  }
}

/* ---- the benchmark definitions (mirrored in bench/handlespace.ts) ------------------------ */
#define OWN_ID 0x11111111u
#define LIFE_MS 30000u

/* PE IDs: an invertible 32-bit mix of a counter, so IDs are unique, non-zero and scattered. */
static uint32_t peIdOf(uint32_t n) {
  uint32_t x = n;
  x = (x ^ (x >> 16)) * 0x7feb352du;
  x = (x ^ (x >> 15)) * 0x846ca68bu;
  return x ^ (x >> 16);
}

typedef struct {
  Handlespace* hs;
  struct PoolHandle handle;
  struct PoolPolicySettings policy;
  int isLeastUsed;
  struct TransportAddressBlock* user;
  struct TransportAddressBlock* asap;
  Rng rng;
  uint32_t* ids;   /* registered PE IDs, unordered */
  size_t count;
  size_t target;
  uint32_t nextCounter;
  unsigned long long now;
} Bench;

static struct TransportAddressBlock* makeTransport(uint16_t port, uint16_t flags, uint32_t ip) {
  union sockaddr_union address;
  memset(&address, 0, sizeof(address));
  address.in.sin_family = AF_INET;
  address.in.sin_port = htons(port);
  address.in.sin_addr.s_addr = htonl(ip);
  struct TransportAddressBlock* tab = calloc(1, sizeof(struct TransportAddressBlock) + 4 * sizeof(union sockaddr_union));
  transportAddressBlockNew(tab, IPPROTO_SCTP, port, flags, &address, 1, 1);
  return tab;
}

static void registerPe(Bench* b, uint32_t peId) {
  Element* e = NULL;
  b->now++;  /* the registrar's clock (ms) advances with every registration, as in handlespace-cases.ts */
  if (b->isLeastUsed) b->policy.Load = rngNext(&b->rng);
  const unsigned int err = poolHandlespaceManagementRegisterPoolElement_SimpleRedBlackTree(
    b->hs, &b->handle, OWN_ID, peId, LIFE_MS, &b->policy, b->user, b->asap, 1, (int32_t)(1 + (peId & 63)), b->now,
    &e);
  if (err != 0 || e == NULL) {
    fprintf(stderr, "registration failed: error %u\n", err);
    exit(2);
  }
  /* A registrar (re)starts the PE's one timer with every registration; the TS side does the same. */
  poolHandlespaceManagementRestartPoolElementExpiryTimer_SimpleRedBlackTree(b->hs, e, LIFE_MS);
}

static void addNew(Bench* b) {
  const uint32_t id = peIdOf(++b->nextCounter);
  registerPe(b, id);
  b->ids[b->count++] = id;
}

static void removeAt(Bench* b, size_t i) {
  if (poolHandlespaceManagementDeregisterPoolElement_SimpleRedBlackTree(b->hs, &b->handle, b->ids[i]) != 0) {
    fprintf(stderr, "deregistration failed\n");
    exit(2);
  }
  b->ids[i] = b->ids[--b->count];
}

/* Process CPU time: the machine is shared, so wall time would also count other processes' turns. */
static double nowSeconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One batch of operations; returns how many operations it counted. */
static size_t batch(Bench* b, const char* measurement, Element** array, struct HandleTableExtract* extract) {
  const size_t n = 256;
  if (strcmp(measurement, "regdereg") == 0) {
    for (size_t i = 0; i < n; i++) {
      if (b->count >= b->target) removeAt(b, rngBelow(&b->rng, b->count));
      else addNew(b);
    }
    return n;
  }
  if (strcmp(measurement, "rereg") == 0) {
    for (size_t i = 0; i < n; i++) registerPe(b, b->ids[rngBelow(&b->rng, b->count)]);
    return n;
  }
  if (strcmp(measurement, "timer") == 0) {
    for (size_t i = 0; i < n; i++) {
      const uint32_t id = b->ids[rngBelow(&b->rng, b->count)];
      Element* e = poolHandlespaceManagementFindPoolElement_SimpleRedBlackTree(b->hs, &b->handle, id);
      poolHandlespaceManagementRestartPoolElementExpiryTimer_SimpleRedBlackTree(b->hs, e, 1 + rngBelow(&b->rng, 1000000));
    }
    return n;
  }
  if (strcmp(measurement, "hr1") == 0 || strcmp(measurement, "hr3") == 0) {
    const size_t k = measurement[2] == '1' ? 1 : 3;
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
      poolHandlespaceManagementHandleResolution_SimpleRedBlackTree(b->hs, &b->handle, array, &got, k, 0);
      if (got == 0) {
        fprintf(stderr, "empty resolution\n");
        exit(2);
      }
    }
    return n;
  }
  if (strcmp(measurement, "sync") == 0) {
    /* One full synchronisation, in blocks of 128; counts the PEs delivered. */
    size_t total = 0;
    unsigned int flags = RSP_HTEF_START;
    while (poolHandlespaceManagementGetHandleTable_SimpleRedBlackTree(b->hs, OWN_ID, extract, flags, 128)) {
      total += extract->PoolElementNodes;
      flags = 0;
    }
    if (total != b->count) {
      fprintf(stderr, "sync delivered %zu of %zu PEs\n", total, b->count);
      exit(2);
    }
    return total;
  }
  fprintf(stderr, "unknown measurement %s\n", measurement);
  exit(1);
}

/* One run: batches until at least minSeconds of CPU time have passed; returns ops/s. */
static double timedRun(Bench* b, const char* measurement, Element** array, struct HandleTableExtract* extract,
                       double minSeconds) {
  size_t ops = 0;
  /* Batches between clock readings grow until a reading comes every 2 ms or more (as the TS side). */
  size_t reps = 1;
  const double start = nowSeconds();
  double last = start;
  double elapsed;
  do {
    for (size_t i = 0; i < reps; i++) ops += batch(b, measurement, array, extract);
    const double now = nowSeconds();
    if (now - last < 0.002) reps *= 2;
    last = now;
    elapsed = now - start;
  } while (elapsed < minSeconds);
  return (double)ops / elapsed;
}

static int compareDoubles(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "--rng") == 0) {  /* prints draws, to check against random.ts */
    Rng r;
    rngSeed(&r, (uint32_t)strtoul(argv[2], NULL, 10));
    const uint64_t bound = strtoull(argv[3], NULL, 10);
    for (int i = 0; i < 8; i++) printf("%u%s", rngBelow(&r, bound), i < 7 ? " " : "\n");
    return 0;
  }
  if (argc != 7) {
    fprintf(stderr, "usage: %s <roundRobin|random|leastUsed> <pes> <measurement> <runs> <min-ms> <seed>\n", argv[0]);
    return 1;
  }
  const char* policyName = argv[1];
  const size_t pes = strtoul(argv[2], NULL, 10);
  const char* measurement = argv[3];
  const int runs = atoi(argv[4]);
  const double minSeconds = atof(argv[5]) / 1000.0;
  const uint32_t seed = (uint32_t)strtoul(argv[6], NULL, 10);

  Bench b;
  memset(&b, 0, sizeof(b));
  /* Generous opaque storage for struct PoolHandlespaceManagement (a few hundred octets in 3.x). */
  b.hs = calloc(1, 1 << 16);
  poolHandlespaceManagementNew_SimpleRedBlackTree(b.hs, OWN_ID, NULL, NULL, NULL);
  poolHandleNew(&b.handle, (const unsigned char*)"BenchPool", 9);
  if (strcmp(policyName, "roundRobin") == 0) b.policy.PolicyType = 0x00000001;
  else if (strcmp(policyName, "random") == 0) b.policy.PolicyType = 0x00000003;
  else if (strcmp(policyName, "leastUsed") == 0) {
    b.policy.PolicyType = 0x40000001;
    b.isLeastUsed = 1;
  } else {
    fprintf(stderr, "unknown policy %s\n", policyName);
    return 1;
  }
  b.policy.Weight = 1;
  b.user = makeTransport(5000, RSP_TABF_CONTROLCHANNEL, 0x0a000001);
  b.asap = makeTransport(3863, 0, 0x0a000001);
  rngSeed(&b.rng, seed);
  b.target = pes;
  b.ids = calloc(pes + 1, sizeof(uint32_t));
  b.now = 1000000;
  while (b.count < pes) addNew(&b);

  Element** array = calloc(128, sizeof(Element*));
  struct HandleTableExtract* extract = calloc(1, sizeof(struct HandleTableExtract));
  if (runs == 0) {
    char line[64];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin) != NULL && strncmp(line, "run", 3) == 0) {
      printf("%.1f\n", timedRun(&b, measurement, array, extract, minSeconds));
      fflush(stdout);
    }
    return 0;
  }
  double* rates = calloc((size_t)runs, sizeof(double));
  timedRun(&b, measurement, array, extract, minSeconds);  /* warm-up */
  for (int run = 0; run < runs; run++) rates[run] = timedRun(&b, measurement, array, extract, minSeconds);
  if (poolHandlespaceManagementGetPoolElements_SimpleRedBlackTree(b.hs) != b.count) {
    fprintf(stderr, "PE count mismatch\n");
    return 2;
  }
  printf("{\"impl\":\"rsplib\",\"policy\":\"%s\",\"pes\":%zu,\"measurement\":\"%s\",\"rates\":[", policyName, pes,
         measurement);
  for (int i = 0; i < runs; i++) printf("%s%.1f", i ? "," : "", rates[i]);
  qsort(rates, (size_t)runs, sizeof(double), compareDoubles);
  printf("],\"median\":%.1f}\n", runs % 2 ? rates[runs / 2] : (rates[runs / 2 - 1] + rates[runs / 2]) / 2);
  poolHandlespaceManagementClear_SimpleRedBlackTree(b.hs);
  return 0;
}
