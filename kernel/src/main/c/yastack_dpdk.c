/*
 * yastack DPDK shim: the few DPDK entry points Java cannot call through FFM because DPDK
 * defines them static inline (rx/tx burst, mbuf bulk alloc), each batched so Java makes one
 * downcall per burst, plus a table of struct offsets and constants taken from the installed
 * headers so the Java side never hard-codes an ABI. Everything else (EAL init, port setup,
 * stats) Java calls in DPDK directly. See README.md.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define YS_SHIM_VERSION 1

int ys_shim_version(void) { return YS_SHIM_VERSION; }

/* rte_errno is thread-local: FFM cannot read it, so the calling thread asks here. */
int ys_errno(void) { return rte_errno; }

struct ys_entry {
	const char *name;
	int64_t value;
};

#define OFF(type, field) { #type "." #field, (int64_t)offsetof(struct type, field) }
#define SIZE(type) { #type ".size", (int64_t)sizeof(struct type) }
#define CONST(name) { #name, (int64_t)(name) }

static const struct ys_entry ENTRIES[] = {
	SIZE(rte_eth_conf),
	OFF(rte_eth_conf, rxmode.mq_mode),
	OFF(rte_eth_conf, rxmode.mtu),
	OFF(rte_eth_conf, rxmode.offloads),
	OFF(rte_eth_conf, txmode.offloads),
	OFF(rte_eth_conf, rx_adv_conf.rss_conf.rss_key),
	OFF(rte_eth_conf, rx_adv_conf.rss_conf.rss_key_len),
	OFF(rte_eth_conf, rx_adv_conf.rss_conf.rss_hf),
	SIZE(rte_eth_dev_info),
	OFF(rte_eth_dev_info, driver_name),
	OFF(rte_eth_dev_info, if_index),
	OFF(rte_eth_dev_info, min_mtu),
	OFF(rte_eth_dev_info, max_mtu),
	OFF(rte_eth_dev_info, max_rx_queues),
	OFF(rte_eth_dev_info, max_tx_queues),
	OFF(rte_eth_dev_info, reta_size),
	OFF(rte_eth_dev_info, hash_key_size),
	OFF(rte_eth_dev_info, flow_type_rss_offloads),
	OFF(rte_eth_dev_info, rx_desc_lim.nb_max),
	OFF(rte_eth_dev_info, tx_desc_lim.nb_max),
	SIZE(rte_eth_stats),
	OFF(rte_eth_stats, ipackets),
	OFF(rte_eth_stats, opackets),
	OFF(rte_eth_stats, ibytes),
	OFF(rte_eth_stats, obytes),
	OFF(rte_eth_stats, imissed),
	OFF(rte_eth_stats, ierrors),
	OFF(rte_eth_stats, oerrors),
	OFF(rte_eth_stats, rx_nombuf),
	SIZE(rte_ether_addr),
	CONST(RTE_ETH_MQ_RX_NONE),
	CONST(RTE_ETH_MQ_RX_RSS),
	CONST(RTE_ETH_RSS_IP),
	CONST(RTE_ETH_RSS_TCP),
	CONST(RTE_ETH_RSS_UDP),
	CONST(RTE_PKTMBUF_HEADROOM),
	CONST(RTE_MBUF_DEFAULT_BUF_SIZE),
	CONST(RTE_MAX_ETHPORTS),
	CONST(SOCKET_ID_ANY),
	{ NULL, 0 }
};

/* Offset, size or constant by name ("struct.field", "struct.size", "MACRO"); -1 if unknown. */
int64_t ys_layout(const char *name)
{
	for (const struct ys_entry *e = ENTRIES; e->name != NULL; e++)
		if (strcmp(e->name, name) == 0)
			return e->value;
	return -1;
}

/*
 * Receives up to n frames. Multi-segment mbufs (the port never enables scatter, so only a
 * misbehaving driver makes them) are freed and counted in *dropped. For each frame kept,
 * offs[i] is the data address minus base and lens[i] its length.
 */
int ys_rx_burst(int port, int queue, struct rte_mbuf **pkts, int n,
		uintptr_t base, int64_t *offs, int32_t *lens, int32_t *dropped)
{
	uint16_t got = rte_eth_rx_burst((uint16_t)port, (uint16_t)queue, pkts, (uint16_t)n);
	int kept = 0, drop = 0;
	for (uint16_t i = 0; i < got; i++) {
		struct rte_mbuf *m = pkts[i];
		if (m->nb_segs != 1) {
			rte_pktmbuf_free(m);
			drop++;
			continue;
		}
		pkts[kept] = m;
		offs[kept] = (int64_t)(rte_pktmbuf_mtod(m, uintptr_t) - base);
		lens[kept] = m->data_len;
		kept++;
	}
	*dropped = drop;
	return kept;
}

/* Allocates n fresh mbufs, all or none; offs[i] = data address minus base. 0 or -ENOBUFS. */
int ys_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **pkts, int n, uintptr_t base, int64_t *offs)
{
	int rc = rte_pktmbuf_alloc_bulk(mp, pkts, (unsigned int)n);
	if (rc != 0)
		return rc;
	for (int i = 0; i < n; i++)
		offs[i] = (int64_t)(rte_pktmbuf_mtod(pkts[i], uintptr_t) - base);
	return 0;
}

/* Bytes a freshly allocated mbuf of this pool holds after its headroom. */
int ys_mbuf_capacity(struct rte_mempool *mp)
{
	return (int)rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
}

/* Sets each frame's length, transmits, frees what the device refused; returns frames sent. */
int ys_tx_burst(int port, int queue, struct rte_mbuf **pkts, const int32_t *lens, int n)
{
	for (int i = 0; i < n; i++) {
		pkts[i]->data_len = (uint16_t)lens[i];
		pkts[i]->pkt_len = (uint32_t)lens[i];
	}
	uint16_t sent = rte_eth_tx_burst((uint16_t)port, (uint16_t)queue, pkts, (uint16_t)n);
	if (sent < n)
		rte_pktmbuf_free_bulk(pkts + sent, (unsigned int)(n - sent));
	return sent;
}

/* Link status without waiting: 1 up, 0 down, <0 error; *speed in Mbps. (C bitfields.) */
int ys_link(int port, uint32_t *speed)
{
	struct rte_eth_link link;
	memset(&link, 0, sizeof(link));
	int rc = rte_eth_link_get_nowait((uint16_t)port, &link);
	if (rc < 0)
		return rc;
	*speed = link.link_speed;
	return link.link_status;
}

struct ys_range {
	uintptr_t lo, hi;
};

static void range_cb(struct rte_mempool *mp, void *opaque, struct rte_mempool_memhdr *memhdr, unsigned int idx)
{
	(void)mp;
	(void)idx;
	struct ys_range *r = opaque;
	uintptr_t a = (uintptr_t)memhdr->addr;
	if (a < r->lo)
		r->lo = a;
	if (a + memhdr->len > r->hi)
		r->hi = a + memhdr->len;
}

/* The address range covering every chunk of a pool: Java views all mbuf data through it. */
int ys_pool_range(struct rte_mempool *mp, uintptr_t *lo, uintptr_t *hi)
{
	struct ys_range r = { UINTPTR_MAX, 0 };
	if (rte_mempool_mem_iter(mp, range_cb, &r) == 0)
		return -1;
	*lo = r.lo;
	*hi = r.hi;
	return 0;
}

/* Programs the RSS redirection table: entry i -> queues[i]. 0 or a negative errno. */
int ys_set_reta(int port, int reta_size, const uint16_t *queues)
{
	int groups = (reta_size + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE;
	struct rte_eth_rss_reta_entry64 conf[groups > 0 ? groups : 1];
	memset(conf, 0, sizeof(conf));
	for (int i = 0; i < reta_size; i++) {
		int g = i / RTE_ETH_RETA_GROUP_SIZE, s = i % RTE_ETH_RETA_GROUP_SIZE;
		conf[g].mask |= 1ULL << s;
		conf[g].reta[s] = queues[i];
	}
	return rte_eth_dev_rss_reta_update((uint16_t)port, conf, (uint16_t)reta_size);
}
