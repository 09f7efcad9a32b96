#include "rules/pattern_db.h"

#include <hs.h>

#include <algorithm>
#include <chrono>
#include <unordered_set>
#include <utility>

namespace otsentry::rules {

PatternDb::PatternDb(PatternDb&& other) noexcept
    : literals_{std::move(other.literals_)},
      db_{std::exchange(other.db_, nullptr)},
      compiled_{std::exchange(other.compiled_, false)},
      shared_ids_{other.shared_ids_},
      compile_ms_{other.compile_ms_}
{
}

PatternDb& PatternDb::operator=(PatternDb&& other) noexcept
{
    if (this != &other) {
        free_db();
        literals_ = std::move(other.literals_);
        db_ = std::exchange(other.db_, nullptr);
        compiled_ = std::exchange(other.compiled_, false);
        shared_ids_ = other.shared_ids_;
        compile_ms_ = other.compile_ms_;
    }
    return *this;
}

PatternDb::~PatternDb()
{
    free_db();
}

void PatternDb::free_db() noexcept
{
    if (db_ != nullptr) hs_free_database(db_);
    db_ = nullptr;
    compiled_ = false;
}

void PatternDb::add(uint32_t id, std::string_view bytes, bool nocase)
{
    literals_.push_back(Literal{id, std::string(bytes), nocase});
}

bool PatternDb::compile(std::string& error)
{
    const auto t0 = std::chrono::steady_clock::now();
    free_db();
    shared_ids_ = false;
    if (literals_.empty()) {
        compiled_ = true;
        compile_ms_ = 0;
        return true;
    }
    std::vector<const char*> exprs;
    std::vector<size_t> lens;
    std::vector<unsigned> flags, ids;
    std::unordered_set<uint32_t> seen;
    exprs.reserve(literals_.size());
    lens.reserve(literals_.size());
    flags.reserve(literals_.size());
    ids.reserve(literals_.size());
    for (const Literal& l : literals_) {
        if (l.bytes.empty()) {
            error = "literal id " + std::to_string(l.id) + " is empty";
            return false;
        }
        exprs.push_back(l.bytes.data());
        lens.push_back(l.bytes.size());
        flags.push_back(HS_FLAG_SINGLEMATCH | (l.nocase ? HS_FLAG_CASELESS : 0u));
        ids.push_back(l.id);
        shared_ids_ = !seen.insert(l.id).second || shared_ids_;
    }
    hs_compile_error_t* err = nullptr;
    hs_database_t* db = nullptr;
    const hs_error_t rc =
        hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db, &err);
    if (rc != HS_SUCCESS) {
        std::string what =
            err != nullptr && err->message != nullptr ? err->message : "Hyperscan compile failed";
        if (err != nullptr && err->expression >= 0 &&
            static_cast<size_t>(err->expression) < literals_.size()) {
            error = "literal id " + std::to_string(literals_[static_cast<size_t>(err->expression)].id) +
                    ": " + what;
        } else {
            error = "literal database: " + what;
        }
        if (err != nullptr) hs_free_compile_error(err);
        return false;
    }
    db_ = db;
    compiled_ = true;
    compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return true;
}

size_t PatternDb::size_bytes() const noexcept
{
    size_t n = 0;
    if (db_ != nullptr && hs_database_size(db_, &n) != HS_SUCCESS) n = 0;
    return n;
}

namespace {

struct ScanCtx {
    std::vector<uint32_t>* hits;
    size_t first;  // hits before this scan are the caller's, not ours to deduplicate against
    bool dedupe;
};

int on_literal(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) noexcept
{
    auto* c = static_cast<ScanCtx*>(ctx);
    if (c->dedupe && std::find(c->hits->begin() + static_cast<ptrdiff_t>(c->first), c->hits->end(), id) !=
                         c->hits->end()) {
        return 0;
    }
    try {
        c->hits->push_back(id);
    } catch (...) {
        return 1;  // out of memory: stop with what we have rather than unwind through Hyperscan
    }
    return 0;
}

}  // namespace

void PatternDb::scan(std::span<const uint8_t> data, MatchScratch& scratch, std::vector<uint32_t>& hits) const
{
    if (db_ == nullptr || data.empty()) return;
    ScanCtx ctx{&hits, hits.size(), shared_ids_};
    const int rc = hs_scan_grow(db_, data, scratch, on_literal, &ctx);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) ++scratch.stats().hs_errors;
}

}  // namespace otsentry::rules
