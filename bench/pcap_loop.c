/* Baseline for replay benchmarks: the cheapest possible libpcap read loop.
 *
 *   pcap_loop FILE
 *
 * Opens FILE with pcap_open_offline (pcap or pcapng), calls pcap_next_ex until the end,
 * counts packets and captured bytes, touches one byte per packet so the data is really
 * read, and prints {"packets":N,"bytes":N,"wire_bytes":N,"seconds":S} on stdout.
 * otsentry replay can never be faster than this; bench/run_replay_bench.sh reports the ratio.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    const double start = now_seconds();
    pcap_t* p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s: %s\n", argv[1], errbuf);
        return 1;
    }
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t wire_bytes = 0;
    unsigned checksum = 0;
    struct pcap_pkthdr* hdr;
    const u_char* data;
    int rc;
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        bytes += hdr->caplen;
        wire_bytes += hdr->len;
        if (hdr->caplen > 0) checksum += data[hdr->caplen - 1];
    }
    const double seconds = now_seconds() - start;
    int status = 0;
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(p));
        status = 1;
    }
    pcap_close(p);
    printf("{\"packets\":%llu,\"bytes\":%llu,\"wire_bytes\":%llu,\"seconds\":%.6f,\"check\":%u}\n",
           (unsigned long long)packets, (unsigned long long)bytes, (unsigned long long)wire_bytes, seconds,
           checksum);
    return status;
}
