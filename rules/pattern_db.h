// A literal prefilter: many (id, bytes, nocase) literals compiled into one Hyperscan block-mode
// database, scanned once per buffer to learn which ids occur somewhere in it. A hit only says the
// bytes are present; the rule's own options (offset, depth, relative positions, negation...) are
// checked afterwards by its PayloadProgram.
//
// Literals go through hs_compile_lit_multi with explicit lengths, so any byte (0x00, 0xFF, regex
// metacharacters) is matched as itself and nothing is escaped. Every literal carries
// HS_FLAG_SINGLEMATCH: the prefilter needs "this id occurs", not where or how often. A database
// with no literals compiles to nothing (Hyperscan refuses zero patterns) and scans to no hits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rules/regex.h"

namespace otsentry::rules {

class PatternDb {
public:
    PatternDb() = default;
    PatternDb(PatternDb&& other) noexcept;
    PatternDb& operator=(PatternDb&& other) noexcept;
    PatternDb(const PatternDb&) = delete;
    PatternDb& operator=(const PatternDb&) = delete;
    ~PatternDb();

    // Adds a literal. Ids are the caller's (e.g. an index into its rule list) and need not be
    // dense; several literals may share an id (a scan still reports it once).
    void add(uint32_t id, std::string_view bytes, bool nocase);

    // Compiles what was added (again, if called twice). False with `error` naming the literal id
    // Hyperscan refused (or the empty one); the previous database, if any, is dropped.
    bool compile(std::string& error);

    // Appends to `hits` each id whose literal occurs in `data`, once per id, in the order Hyperscan
    // found them. `hits` is not cleared: the caller reuses one vector (cleared between scans), so
    // a scan allocates nothing once the vector has grown to the number of ids.
    void scan(std::span<const uint8_t> data, MatchScratch& scratch, std::vector<uint32_t>& hits) const;

    [[nodiscard]] size_t literal_count() const noexcept { return literals_.size(); }
    [[nodiscard]] bool empty() const noexcept { return literals_.empty(); }
    [[nodiscard]] bool compiled() const noexcept { return compiled_; }
    // hs_database_size of the compiled database (0 when empty or not compiled).
    [[nodiscard]] size_t size_bytes() const noexcept;
    // Wall time of the last compile() in milliseconds (for the benchmark and the stats line).
    [[nodiscard]] double compile_ms() const noexcept { return compile_ms_; }
    [[nodiscard]] const hs_database* database() const noexcept { return db_; }

private:
    struct Literal {
        uint32_t id;
        std::string bytes;
        bool nocase;
    };
    void free_db() noexcept;

    std::vector<Literal> literals_;
    hs_database* db_ = nullptr;
    bool compiled_ = false;
    bool shared_ids_ = false;  // some id is on two literals: scan must deduplicate
    double compile_ms_ = 0;
};

}  // namespace otsentry::rules
