// Copyright 2026 The Strata Authors. Licensed under the Apache License 2.0.
//
// A standalone driver for libFuzzer-style targets, so every fuzz target runs
// in every build without clang. Shared by all tests/fuzz/*_fuzz.cpp targets.
//
// Usage: <target> [--iterations=N] [--seed=S] [FILE_OR_DIR...]
//
// Every FILE (and every regular file directly inside a DIR) is run once as an
// input. Then N generated inputs are run (default 10000): random byte strings
// of 0..512 bytes biased towards the small byte values that tags, lengths and
// varints use, and, if the target defines StrataFuzzSeeds(), mutations of its
// seed inputs (bit flips, byte changes, truncation, insertion, deletion,
// duplication, splicing). The seed is printed first ("seed=S") so a failing
// run can be replayed with --seed=S. A target reports a bug by crashing or
// calling abort(); the driver then dies with it.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// Optional: a target may define this to supply seed inputs to mutate.
extern "C" __attribute__((weak)) void StrataFuzzSeeds(std::vector<std::string>* out);

namespace {

constexpr uint64_t kDefaultIterations = 10000;
constexpr size_t kMaxRandomInputBytes = 512;
constexpr size_t kMaxInputFileBytes = size_t{16} << 20;
constexpr int kMaxMutationsPerInput = 4;

struct Options {
  uint64_t iterations = kDefaultIterations;
  std::optional<uint64_t> seed;
  std::vector<std::string> paths;
};

bool ParseUint64(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    uint64_t value = 0;
    if (arg.starts_with("--iterations=")) {
      if (!ParseUint64(arg.substr(13), &value)) return false;
      options->iterations = value;
    } else if (arg.starts_with("--seed=")) {
      if (!ParseUint64(arg.substr(7), &value)) return false;
      options->seed = value;
    } else if (arg.starts_with("-")) {
      return false;
    } else {
      options->paths.emplace_back(arg);
    }
  }
  return true;
}

// Runs one input from an exactly sized heap copy, so that a sanitizer sees
// any read past its end.
void RunOne(const std::string& input) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[input.size() + (input.empty() ? 1 : 0)]);
  if (!input.empty()) std::memcpy(copy.get(), input.data(), input.size());
  LLVMFuzzerTestOneInput(copy.get(), input.size());
}

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  out->assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return !file.bad() && out->size() <= kMaxInputFileBytes;
}

class InputGenerator {
 public:
  InputGenerator(uint64_t seed, std::vector<std::string> seeds)
      : rng_(seed), seeds_(std::move(seeds)) {}

  // Half mutations of seed inputs (when there are any), half random bytes.
  std::string Next(bool* mutated) {
    *mutated = !seeds_.empty() && Below(2) == 0;
    return *mutated ? Mutate(seeds_[Below(seeds_.size())]) : RandomInput();
  }

 private:
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  // Mostly tiny values (type tags, lengths, counts), some varint
  // continuation bytes, some anything.
  char RandomByte() {
    const uint64_t kind = Below(10);
    if (kind < 5) return static_cast<char>(Below(10));
    if (kind < 7) return static_cast<char>(0x80 | Below(4));
    return static_cast<char>(Below(256));
  }

  std::string RandomInput() {
    // Short inputs are the most productive; sometimes go up to the maximum.
    const size_t size = Below(4) == 0 ? Below(kMaxRandomInputBytes + 1) : Below(33);
    std::string out(size, '\0');
    for (char& c : out) c = RandomByte();
    return out;
  }

  std::string Mutate(std::string data) {
    const int mutations = 1 + static_cast<int>(Below(kMaxMutationsPerInput));
    for (int i = 0; i < mutations; ++i) {
      const size_t pos = Below(data.size() + 1);
      switch (Below(7)) {
        case 0:  // Flip one bit.
          if (!data.empty()) {
            const size_t at = Below(data.size());
            data[at] = static_cast<char>(data[at] ^ (1 << Below(8)));
          }
          break;
        case 1:  // Replace one byte.
          if (!data.empty()) data[Below(data.size())] = RandomByte();
          break;
        case 2:  // Truncate.
          data.resize(pos);
          break;
        case 3:  // Insert a few bytes.
          for (uint64_t n = 1 + Below(4); n > 0; --n) data.insert(pos, 1, RandomByte());
          break;
        case 4:  // Delete a few bytes.
          data.erase(pos, 1 + Below(4));
          break;
        case 5: {  // Duplicate a chunk.
          const size_t len = Below(data.size() - pos + 1);
          data.insert(pos, data.substr(pos, len));
          break;
        }
        default: {  // Splice with another seed.
          const std::string& other = seeds_[Below(seeds_.size())];
          data = data.substr(0, pos) + other.substr(Below(other.size() + 1));
          break;
        }
      }
      if (data.size() > kMaxRandomInputBytes * 8) data.resize(kMaxRandomInputBytes * 8);
    }
    return data;
  }

  std::mt19937_64 rng_;
  std::vector<std::string> seeds_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr, "usage: %s [--iterations=N] [--seed=S] [FILE_OR_DIR...]\n",
                 argv[0]);
    return 2;
  }
  const uint64_t seed =
      options.seed.has_value()
          ? *options.seed
          : static_cast<uint64_t>(std::random_device{}()) ^
                static_cast<uint64_t>(
                    std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();

  // Files and directories named on the command line.
  uint64_t file_inputs = 0;
  for (const std::string& path : options.paths) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
      }
    } else {
      files.emplace_back(path);
    }
    for (const auto& file : files) {
      std::string input;
      if (!ReadFile(file, &input)) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 2;
      }
      RunOne(input);
      ++file_inputs;
    }
  }

  std::vector<std::string> seeds;
  if (StrataFuzzSeeds != nullptr) StrataFuzzSeeds(&seeds);
  for (const std::string& s : seeds) RunOne(s);

  InputGenerator generator(seed, seeds);
  uint64_t mutated_inputs = 0;
  for (uint64_t i = 0; i < options.iterations; ++i) {
    bool mutated = false;
    RunOne(generator.Next(&mutated));
    if (mutated) ++mutated_inputs;
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "done: %llu generated inputs (%llu mutated from %zu seeds), %llu file inputs, "
      "%.2f s, seed=%llu\n",
      static_cast<unsigned long long>(options.iterations),
      static_cast<unsigned long long>(mutated_inputs), seeds.size(),
      static_cast<unsigned long long>(file_inputs), seconds,
      static_cast<unsigned long long>(seed));
  return 0;
}
