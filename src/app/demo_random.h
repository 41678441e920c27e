#pragma once

#include <cstdint>
#include <string>

namespace calypso::app::demo {

// The demo's random numbers: SplitMix64, so a seed gives the same workspace on every
// platform and standard library (std:: distributions are implementation-defined).
class Random {
  public:
    explicit Random(uint64_t seed) : state_(seed) {}

    uint64_t Next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // In [0, 1).
    double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
    // In [lo, hi].
    int64_t Between(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
    }
    double Real(double lo, double hi) { return lo + (hi - lo) * Unit(); }
    bool Chance(double p) { return Unit() < p; }
    // `n` lower-case hex digits.
    std::string Hex(size_t n) {
        static constexpr char kDigits[] = "0123456789abcdef";
        std::string s;
        s.reserve(n);
        for (size_t i = 0; i < n; ++i) s.push_back(kDigits[Next() & 15]);
        return s;
    }
    // A version-4 GUID in lower case, as Azure ML run ids are.
    std::string Guid() {
        std::string h = Hex(32);
        h[12] = '4';
        h[16] = "89ab"[Next() & 3];
        return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' +
               h.substr(16, 4) + '-' + h.substr(20);
    }

  private:
    uint64_t state_;
};

}  // namespace calypso::app::demo
