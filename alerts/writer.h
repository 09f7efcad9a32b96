// The single store writer: every worker submits records through one multi-producer queue; one
// thread drains it, appends each record's EVE line to the EVE file and inserts the batch into
// SQLite in one transaction. Batches close on size or age, whichever comes first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "alerts/record.h"

namespace otsentry::alerts {

struct WriterConfig {
    std::string db_path;       // empty: no database
    std::string eve_path;      // empty: no EVE file; "-": standard output
    size_t batch_max = 16384;  // records per transaction
    std::chrono::milliseconds batch_age{200};
    // Records waiting; submit() blocks beyond it (no loss). About 64k records of ~0.7 kB each
    // bounds the queue to tens of MB (it can hold twice that while a batch is written).
    size_t queue_max = 1 << 16;
};

struct WriterStats {
    uint64_t events = 0, alerts = 0;  // records written to every configured sink
    uint64_t stats = 0;               // stats records (EVE only) written
    uint64_t failed = 0;              // records that missed a sink, or were submitted after close()
    uint64_t batches = 0;
    uint64_t blocked_submits = 0;  // submits that had to wait for room in the queue
    uint64_t eve_bytes = 0;
};

class Writer {
public:
    // Opens the database (migrating it) and the EVE file; throws StoreError / std::runtime_error
    // naming the file when either cannot be opened. Starts the writer thread.
    explicit Writer(WriterConfig cfg);
    ~Writer();  // close()
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Thread-safe. Takes ownership of the record.
    void submit(Record&& r);
    // Waits until everything submitted so far is written and committed.
    void flush();
    // Flushes, stops the thread and closes the files. Idempotent.
    void close();

    // After close(), or from the writer's own point of view at any time (approximate).
    [[nodiscard]] WriterStats stats() const;
    // The first write error, if any ("<file>: <reason>"); writing goes on for the other sink.
    [[nodiscard]] std::optional<std::string> error() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace otsentry::alerts
