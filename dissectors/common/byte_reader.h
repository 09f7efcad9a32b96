// Bounds-checked reads from packet bytes with explicit endianness. A read past the end never
// touches memory: it returns zero and marks the reader failed, and every later read fails too,
// so a parser may read a whole header and check `ok()` once.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

namespace otsentry::dissect {

class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> data) noexcept : data_{data} {}

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    [[nodiscard]] size_t offset() const noexcept { return pos_; }
    [[nodiscard]] size_t remaining() const noexcept { return ok_ ? data_.size() - pos_ : 0; }
    [[nodiscard]] bool empty() const noexcept { return remaining() == 0; }
    [[nodiscard]] bool has(size_t n) const noexcept { return remaining() >= n; }

    uint8_t read_u8() noexcept
    {
        if (!has(1)) return fail<uint8_t>();
        return data_[pos_++];
    }

    template <typename T>
    requires std::is_unsigned_v<T> T read_be()
    noexcept
    {
        if (!has(sizeof(T))) return fail<T>();
        const T v = load<T>(std::endian::big);
        pos_ += sizeof(T);
        return v;
    }

    template <typename T>
    requires std::is_unsigned_v<T> T read_le()
    noexcept
    {
        if (!has(sizeof(T))) return fail<T>();
        const T v = load<T>(std::endian::little);
        pos_ += sizeof(T);
        return v;
    }

    template <typename T>
    requires std::is_unsigned_v<T>
    void read_be(T& out) noexcept { out = read_be<T>(); }

    // A view of the next n bytes; empty and failed when fewer remain.
    std::span<const uint8_t> read_bytes(size_t n) noexcept
    {
        if (!has(n)) return fail<std::span<const uint8_t>>();
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

    void skip(size_t n) noexcept
    {
        if (!has(n)) {
            fail<int>();
            return;
        }
        pos_ += n;
    }

    // The bytes not read yet (empty once failed).
    [[nodiscard]] std::span<const uint8_t> rest() const noexcept
    {
        return ok_ ? data_.subspan(pos_) : std::span<const uint8_t>{};
    }

private:
    // The value in the next sizeof(T) bytes (checked by the caller), stored in `order`: one load
    // and, when the host's order differs, one byte swap, instead of a byte at a time.
    template <typename T>
    [[nodiscard]] T load(std::endian order) const noexcept
    {
        T v;
        std::memcpy(&v, data_.data() + pos_, sizeof v);
        if (order == std::endian::native) return v;
        if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
        if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
        if constexpr (sizeof(T) == 8) return __builtin_bswap64(v);
        return v;
    }

    template <typename T>
    T fail() noexcept
    {
        ok_ = false;
        return T{};
    }

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace otsentry::dissect
