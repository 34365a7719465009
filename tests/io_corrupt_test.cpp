// The loader's matrix of deliberately corrupt files (the ggml/llama.cpp habit): each must be
// rejected with a greenbert::Error naming the file, the tensor where there is one, and the
// reason — never a crash, never another exception type. Most cases are derived from valid
// files inside the test; random mutations add the cases nobody thought of.
#include <gtest/gtest.h>

#include <random>

#include "core/atomic_file.h"
#include "io/pickle.h"
#include "io/safetensors.h"
#include "io/zip.h"
#include "io_test_support.h"

namespace greenbert {
namespace {

using testing::as_bytes;
using testing::le_bytes;
using testing::PickleWriter;
using testing::read_error;
using testing::safetensors_bytes;

// Asserts that reading `bytes` fails with a message holding every one of `parts`.
void expect_rejected(const std::string& bytes, std::initializer_list<std::string> parts) {
  std::string message = read_error(bytes, "bad.bin");
  ASSERT_FALSE(message.empty()) << "accepted a corrupt file; expected: " << *parts.begin();
  EXPECT_EQ(message.rfind("bad.bin: ", 0), 0u) << message;
  for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
}

// Reads `bytes` expecting success or a greenbert::Error; anything else fails the test.
void expect_clean_outcome(const std::string& bytes, const std::string& what) {
  try {
    read_tensor_set(as_bytes(bytes), "mutant.bin");
  } catch (const Error&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": escaped as " << typeid(e).name() << ": " << e.what();
  }
}

std::string valid_safetensors() {
  auto dir = testing::temp_dir("corrupt-base");
  std::string f32 = testing::floats({1, 2, 3, 4, 5, 6});
  std::string i64 = le_bytes<int64_t>(7) + le_bytes<int64_t>(-8);
  std::string f16 = std::string("\x00\x3c\x00\x40\x00\x42", 6);
  write_safetensors(dir / "base.safetensors",
                    std::vector<NamedTensor>{{"w", {DType::F32, {2, 3}, as_bytes(f32)}},
                                             {"ids", {DType::I64, {2}, as_bytes(i64)}},
                                             {"h", {DType::F16, {3}, as_bytes(f16)}}},
                    {{"format", "pt"}});
  return read_file(dir / "base.safetensors");
}

TEST(CorruptSafetensors, EveryTruncationIsRejected) {
  std::string file = valid_safetensors();
  ASSERT_EQ(read_error(file), "");
  for (size_t size = 0; size < file.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_NE(read_error(file.substr(0, size)), "");
  }
}

TEST(CorruptSafetensors, HeaderLengthAndStart) {
  expect_rejected(le_bytes<uint64_t>(1000) + "{}      ", {"header length 1000 runs past the end"});
  expect_rejected(le_bytes<uint64_t>(200'000'000) + "{}      ", {"over the 100000000-byte limit"});
  expect_rejected(le_bytes<uint64_t>(~0ull) + "{}      ", {"over the"});
  EXPECT_NE(read_error(safetensors_bytes("[1, 2]  ", "")).find("not a checkpoint"),
            std::string::npos);
  try {
    read_safetensors(as_bytes(safetensors_bytes(" {}     ", "")), "bad.bin");
    ADD_FAILURE() << "accepted a header starting with a space";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not start with '{'"), std::string::npos);
  }
}

struct HeaderCase {
  const char* what;
  std::string header;
  std::string data;
  std::vector<std::string> parts;
};

TEST(CorruptSafetensors, HeaderMatrix) {
  const std::string eight(8, '\0'), twelve(12, '\0');
  const std::string w = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const HeaderCase cases[] = {
      {"bad JSON", R"({"w":{"dtype":"F32",)", eight, {"not valid JSON"}},
      {"trailing garbage", w + "}x", eight, {"not valid JSON"}},
      {"invalid UTF-8", "{\"\xff\":{}}", eight, {"not valid JSON"}},
      {"unknown dtype",
       R"({"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "unsupported dtype 'F8_E4M3'"}},
      {"non-string dtype",
       R"({"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "dtype"}},
      {"negative dim",
       R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "not a list of non-negative integers"}},
      {"fractional dim",
       R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "non-negative integers"}},
      {"huge dim",
       R"({"w":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "non-negative integers"}},
      {"numel overflow",
       R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "more elements than 64 bits"}},
      {"byte overflow",
       R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "more bytes than 64 bits"}},
      {"shape/length mismatch",
       R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "hold 8 bytes but shape [3] of F32 needs 12"}},
      {"offsets past the data",
       R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
       eight,
       {"tensor w: ", "outside the data region of 8 bytes"}},
      {"offsets reversed",
       R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})",
       eight,
       {"tensor w: ", "end before they begin"}},
      {"one offset",
       R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8]}})",
       eight,
       {"tensor w: ", "data_offsets must be [begin, end]"}},
      {"string offsets",
       R"({"w":{"dtype":"F32","shape":[2],"data_offsets":["0","8"]}})",
       eight,
       {"tensor w: ", "data_offsets must be [begin, end]"}},
      {"missing shape",
       R"({"w":{"dtype":"F32","data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "shape"}},
      {"unknown field",
       R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})",
       eight,
       {"tensor w: ", "unknown field 'x'"}},
      {"entry not an object", R"({"w":[0,8]})", eight, {"tensor w: ", "not an object"}},
      {"overlap",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       twelve,
       {"tensor b: ", "overlaps tensor a"}},
      {"same range twice",
       R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
       eight,
       {"overlaps tensor"}},
      {"hole at the start",
       R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       twelve,
       {"tensor w: ", "4 bytes before it", "holes"}},
      {"hole between",
       R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
       twelve,
       {"tensor b: ", "4 bytes before it"}},
      {"uncovered tail", w + "}", twelve, {"last 4 bytes", "belong to no tensor"}},
      {"duplicate tensor",
       w + R"(,"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       eight,
       {"tensor w: ", "duplicate name"}},
      {"duplicate field",
       R"({"w":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}})",
       eight,
       {"duplicate key 'dtype'"}},
      {"metadata not an object",
       w + R"(,"__metadata__":"pt"})",
       eight,
       {"__metadata__ is not an object"}},
      {"metadata value not a string",
       w + R"(,"__metadata__":{"epoch":3}})",
       eight,
       {"__metadata__ value of 'epoch' is a number"}},
      {"metadata value null", w + R"(,"__metadata__":{"a":null}})", eight, {"'a' is a null"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    std::string message = read_error(safetensors_bytes(c.header, c.data), "bad.bin");
    ASSERT_FALSE(message.empty()) << "accepted";
    EXPECT_EQ(message.rfind("bad.bin: ", 0), 0u) << message;
    for (const auto& part : c.parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
  // Control: the same shapes, well formed, are accepted (empty tensors may share an offset).
  EXPECT_EQ(read_error(safetensors_bytes(w + "}", eight)), "");
  EXPECT_EQ(
      read_error(safetensors_bytes(
          R"({"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"f":{"dtype":"I8","shape":[0],"data_offsets":[0,0]}})",
          "")),
      "");
}

TEST(CorruptSafetensors, RandomMutationsNeverEscapeAsAnythingButError) {
  std::string file = valid_safetensors();
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    std::string mutant = file;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) mutant[rng() % mutant.size()] = static_cast<char>(rng());
    expect_clean_outcome(mutant, cat("mutation ", i));
  }
}

// ---- ZIP ------------------------------------------------------------------------------

std::string views_zip() {
  return read_file(testing::io_data("views.pt"));
}

void put_u16(std::string& bytes, size_t at, uint16_t value) {
  std::memcpy(bytes.data() + at, &value, 2);
}
void put_u32(std::string& bytes, size_t at, uint32_t value) {
  std::memcpy(bytes.data() + at, &value, 4);
}

TEST(CorruptZip, EveryTruncationOfATorchCheckpointIsRejected) {
  std::string file = views_zip();
  ASSERT_EQ(read_error(file), "");
  for (size_t size = 0; size < file.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_NE(read_error(file.substr(0, size)), "");
  }
}

// A small valid torch-style ZIP (no data descriptors, no ZIP64) to patch field by field.
struct SmallZip {
  std::string pickle =
      PickleWriter().op('}').str("w").tensor("FloatStorage", "0", 2, 0, {2}, {1}).op('s').done();
  std::string storage = testing::floats({1, 2});
  std::string bytes = testing::torch_zip(pickle, {{"0", storage}});
  size_t end_record = bytes.size() - 22;
  size_t directory = bytes.find("PK\x01\x02");
  size_t storage_local = bytes.find("PK\x03\x04", 1);
};

TEST(CorruptZip, HeaderMatrix) {
  SmallZip zip;
  ASSERT_EQ(read_error(zip.bytes), "");
  auto patched = [&](auto patch) {
    std::string bytes = zip.bytes;
    patch(bytes);
    return bytes;
  };
  expect_rejected(patched([&](std::string& b) { b[zip.end_record] = 'X'; }),
                  {"ZIP: ", "no end-of-central-directory record"});
  expect_rejected(
      patched([&](std::string& b) { put_u32(b, zip.end_record + 16, zip.directory + 1); }),
      {"ZIP: ", "central directory"});
  expect_rejected(patched([&](std::string& b) { put_u32(b, zip.end_record + 12, 7); }),
                  {"ZIP: ", "central directory"});
  expect_rejected(patched([&](std::string& b) { put_u16(b, zip.end_record + 10, 0xffff); }),
                  {"ZIP64 archive without its ZIP64 end record"});
  expect_rejected(patched([&](std::string& b) { put_u16(b, zip.end_record + 4, 1); }),
                  {"multi-disk"});
  expect_rejected(patched([&](std::string& b) { b[zip.directory + 1] = 'X'; }), {"bad signature"});
  // The first entry is archive/data.pkl: compressed, encrypted, renamed locally, resized.
  expect_rejected(patched([&](std::string& b) {
                    put_u16(b, zip.directory + 10, 8);
                    put_u16(b, 8, 8);
                  }),
                  {"entry 'archive/data.pkl': compressed (deflate)", "only stored entries"});
  expect_rejected(patched([&](std::string& b) { put_u16(b, zip.directory + 8, 1); }),
                  {"entry 'archive/data.pkl': encrypted"});
  expect_rejected(patched([&](std::string& b) { b[30] = 'X'; }),
                  {"entry 'archive/data.pkl': local header names it 'Xrchive/data.pkl'"});
  expect_rejected(patched([&](std::string& b) { put_u32(b, zip.directory + 20, 999999); }),
                  {"entry 'archive/data.pkl': stored entry with compressed size"});
  expect_rejected(patched([&](std::string& b) {
                    put_u32(b, zip.directory + 20, 999999);
                    put_u32(b, zip.directory + 24, 999999);
                  }),
                  {"entry 'archive/data.pkl': "});
  expect_rejected(patched([&](std::string& b) { put_u32(b, zip.directory + 42, 5); }),
                  {"entry 'archive/data.pkl': bad local header signature"});
  expect_rejected(patched([&](std::string& b) { put_u32(b, zip.directory + 42, 0x7fffffff); }),
                  {"entry 'archive/data.pkl': local header at 2147483647 is outside"});
  // A flipped bit in a storage is only visible to the CRC.
  expect_rejected(patched([&](std::string& b) { b[zip.storage_local + 30 + 14] ^= 1; }),
                  {"entry 'archive/data/0': CRC-32 mismatch"});
  expect_rejected(
      testing::make_zip({{"archive/data.pkl", zip.pickle}, {"archive/data.pkl", zip.pickle}}),
      {"duplicate entry name"});
  expect_rejected(testing::make_zip({{"archive/version", "3"}}), {"without 'archive/data.pkl'"});
}

TEST(CorruptZip, OverlappingEntriesAreRejected) {
  // Entry "b" is hidden inside entry "a"'s data: both headers and CRCs are valid.
  std::string inner = testing::zip_local_header("b", "hello") + "hello";
  std::string file = testing::zip_local_header("a", inner) + inner;
  std::string directory =
      testing::zip_central_header("a", inner, 0) + testing::zip_central_header("b", "hello", 31);
  file += directory + testing::zip_end_record(2, directory.size(), file.size());
  try {
    read_zip(as_bytes(file), "bad.bin");
    ADD_FAILURE() << "accepted overlapping entries";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("entry 'b': overlaps entry 'a'"), std::string::npos)
        << e.what();
  }
}

TEST(CorruptZip, TorchZip64RecordsAreChecked) {
  std::string file = views_zip();
  size_t record = file.rfind("PK\x06\x06");
  ASSERT_NE(record, std::string::npos) << "torch writes ZIP64 end records";
  std::string bad = file;
  bad[record + 3] = 'X';
  expect_rejected(bad, {"ZIP64 end-of-central-directory record missing"});
  bad = file;
  put_u32(bad, record + 32, 3);  // the 64-bit entry count disagrees with the 16-bit one
  expect_rejected(bad, {"end records disagree on the entry count"});
}

TEST(CorruptZip, RandomMutationsNeverEscapeAsAnythingButError) {
  std::string file = views_zip();
  std::mt19937 rng(12);
  for (int i = 0; i < 2000; ++i) {
    std::string mutant = file;
    mutant[rng() % mutant.size()] = static_cast<char>(rng());
    expect_clean_outcome(mutant, cat("mutation ", i));
  }
}

// ---- pickle and state_dict ---------------------------------------------------------------

std::string state_dict_zip(const std::string& pickle,
                           const std::string& storage = testing::floats({1, 2, 3, 4, 5, 6})) {
  return testing::torch_zip(pickle, {{"0", storage}});
}

std::string one_tensor(int32_t numel, int32_t offset, const std::vector<int32_t>& shape,
                       const std::vector<int32_t>& stride,
                       const std::string& type = "FloatStorage") {
  return PickleWriter()
      .op('}')
      .str("w")
      .tensor(type, "0", numel, offset, shape, stride)
      .op('s')
      .done();
}

TEST(CorruptPickle, ControlStridedViewIsRead) {
  std::string transposed = state_dict_zip(one_tensor(6, 0, {3, 2}, {1, 3}));
  auto set = read_tensor_set(as_bytes(transposed), "ok.bin");
  ASSERT_EQ(set.tensors.size(), 1u);
  EXPECT_EQ(to_float32(set.tensors[0].view), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  std::string sliced = state_dict_zip(one_tensor(6, 4, {2}, {1}));
  set = read_tensor_set(as_bytes(sliced), "ok.bin");
  EXPECT_EQ(to_float32(set.tensors[0].view), (std::vector<float>{5, 6}));
}

TEST(CorruptPickle, StateDictMatrix) {
  expect_rejected(
      state_dict_zip(one_tensor(5, 0, {2, 3}, {3, 1}), testing::floats({1, 2, 3, 4, 5})),
      {"tensor w: view (offset 0, shape [2, 3], stride [3, 1]) reaches element 5 "
       "but storage '0' holds 5 elements"});
  expect_rejected(state_dict_zip(one_tensor(6, 1, {2, 3}, {3, 1})),
                  {"tensor w: ", "reaches element 6"});
  expect_rejected(state_dict_zip(one_tensor(6, 0, {3, 2}, {2, 3})),
                  {"tensor w: ", "reaches element"});
  expect_rejected(state_dict_zip(one_tensor(7, 0, {2, 3}, {3, 1})),
                  {"storage '0' has 24 bytes but the pickle declares 7 elements of F32"});
  expect_rejected(state_dict_zip(one_tensor(6, 0, {2147483647, 2147483647, 2147483647}, {1, 1, 1})),
                  {"tensor w: ", "overflow 64 bits"});
  expect_rejected(state_dict_zip(one_tensor(6, -1, {2}, {1})), {"negative storage offset"});
  // Stride-0 views of a tiny storage that would expand to 16 GiB, or past 64 bits.
  expect_rejected(state_dict_zip(one_tensor(6, 0, {65536, 65536}, {0, 0})),
                  {"tensor w: view of shape [65536, 65536] and stride [0, 0] expands to "
                   "17179869184 bytes, more than the copies of strided views may take: 2 x the "
                   "24 bytes of storage the file holds (+1 MiB) in all"});
  expect_rejected(state_dict_zip(one_tensor(6, 0, {2147483647, 2147483647}, {0, 0})),
                  {"tensor w: ", "expands past 64 bits"});
  expect_rejected(state_dict_zip(one_tensor(6, 0, {2, 3}, {1})), {"2 dimensions but stride has 1"});
  expect_rejected(state_dict_zip(one_tensor(6, 0, {-2}, {1})), {"negative entry"});
  expect_rejected(testing::torch_zip(one_tensor(6, 0, {6}, {1}), {}),
                  {"storage '0' has no ZIP entry"});
  expect_rejected(state_dict_zip(PickleWriter()
                                     .op('}')
                                     .str("a")
                                     .tensor("FloatStorage", "0", 6, 0, {6}, {1})
                                     .op('s')
                                     .str("b")
                                     .tensor("IntStorage", "0", 6, 0, {6}, {1})
                                     .op('s')
                                     .done()),
                  {"tensor b: ", "storage '0' is used with two different types"});
  expect_rejected(state_dict_zip(PickleWriter()
                                     .op('}')
                                     .str("a")
                                     .tensor("FloatStorage", "0", 6, 0, {6}, {1})
                                     .op('s')
                                     .str("a")
                                     .tensor("FloatStorage", "0", 6, 0, {3}, {1})
                                     .op('s')
                                     .done()),
                  {"tensor a: duplicate name"});
  expect_rejected(state_dict_zip(PickleWriter().op('}').str("w").integer(3).op('s').done()),
                  {"tensor w: value is a int, not a tensor"});
  expect_rejected(state_dict_zip(PickleWriter().op(']').done()),
                  {"holds a list, not a state_dict"});
  expect_rejected(state_dict_zip(PickleWriter().op('}').integer(1).str("x").op('s').done()),
                  {"state_dict key is a int"});
  expect_rejected(testing::make_zip({{"archive/data.pkl", one_tensor(6, 0, {6}, {1})},
                                     {"archive/data/0", testing::floats({1, 2, 3, 4, 5, 6})},
                                     {"archive/byteorder", "middle"}}),
                  {"byteorder record says 'middle'"});
}

TEST(CorruptPickle, OpcodeAndGlobalMatrix) {
  struct Case {
    const char* what;
    std::string pickle;
    std::string reason;
  };
  const Case cases[] = {
      {"unknown opcode", "\x80\x02\xff.", "byte 2: unknown opcode 0xff"},
      {"INST", "\x80\x02(ios\nsystem\n.", "opcode INST is not allowed"},
      {"STACK_GLOBAL", "\x80\x04\x93.", "opcode STACK_GLOBAL is not allowed"},
      {"os.system", PickleWriter().global("os", "system").done(), "forbidden global 'os.system'"},
      {"builtins.eval", PickleWriter().global("builtins", "eval").done(),
       "forbidden global 'builtins.eval'"},
      {"torch.load", PickleWriter().global("torch", "load").done(),
       "forbidden global 'torch.load'"},
      {"calling a storage type",
       PickleWriter().global("torch", "FloatStorage").op(')').op('R').done(),
       "'torch.FloatStorage' cannot be called"},
      {"calling a string", PickleWriter().str("x").op(')').op('R').done(), "the callable is a str"},
      {"OrderedDict with arguments",
       PickleWriter().global("collections", "OrderedDict").integer(1).op('\x85').op('R').done(),
       "OrderedDict() with arguments"},
      {"persistent id not a tuple", PickleWriter().integer(1).op('Q').done(),
       "persistent id is a int"},
      {"persistent id not storage",
       PickleWriter()
           .op('(')
           .str("module")
           .global("torch", "FloatStorage")
           .str("0")
           .str("cpu")
           .integer(1)
           .op('t')
           .op('Q')
           .done(),
       "not a 'storage' record"},
      {"storage type not a storage",
       PickleWriter()
           .op('(')
           .str("storage")
           .global("collections", "OrderedDict")
           .str("0")
           .str("cpu")
           .integer(1)
           .op('t')
           .op('Q')
           .done(),
       "is not a storage type"},
      {"legacy storage view",
       PickleWriter()
           .op('(')
           .str("storage")
           .global("torch", "FloatStorage")
           .str("0")
           .str("cpu")
           .integer(1)
           .integer(0)
           .op('t')
           .op('Q')
           .done(),
       "legacy storage view"},
      {"empty stack", "\x80\x02s.", "SETITEM on an empty stack"},
      {"TUPLE without MARK", "\x80\x02t.", "TUPLE without a MARK"},
      {"unclosed MARK", "\x80\x02}(.", "unclosed MARK"},
      {"two results", "\x80\x02}}.", "2 objects on the stack"},
      {"unknown memo", "\x80\x02h\x05.", "memo entry 5 was never stored"},
      {"SETITEM on a list", "\x80\x02]K\x01K\x02s.", "the target is a list, expected a dict"},
      {"SETITEMS odd", "\x80\x02}(K\x01u.", "odd number"},
      {"BUILD on a list", "\x80\x02]}b.", "BUILD's target is a list"},
      {"huge LONG1", "\x80\x02\x8a\x09" + std::string(9, '\x01') + ".", "does not fit in 64 bits"},
      {"object bomb", "\x80\x02" + std::string((1 << 20) + 1, '}') + ".",
       "would take more than 83886336 bytes of memory (64 x the pickle's 1048580 bytes"},
      {"protocol 6", "\x80\x06}.", "protocol 6 is not supported"},
      {"truncated string", std::string("\x80\x02X\xff\0\0\0", 7) + "abc", "truncated"},
      {"no STOP", "\x80\x02}", "truncated"},
      {"GLOBAL without newline",
       "\x80\x02"
       "ctorch",
       "no end of line"},
      {"trailing bytes", "\x80\x02}.junk", "4 bytes after the pickle's STOP"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    expect_rejected(state_dict_zip(c.pickle), {"archive/data.pkl", c.reason});
  }
}

TEST(CorruptPickle, EveryTruncationAndRandomMutationOfARealPickleIsHandled) {
  std::string zip = views_zip();
  auto entries = read_zip(as_bytes(zip), "views.pt");
  std::vector<std::pair<std::string, std::string>> files;
  std::string pickle;
  for (const auto& entry : entries) {
    std::string data(reinterpret_cast<const char*>(entry.data.data()), entry.data.size());
    if (entry.name.ends_with("/data.pkl")) pickle = data;
    files.emplace_back(entry.name, data);
  }
  ASSERT_FALSE(pickle.empty());
  auto with_pickle = [&](const std::string& replacement) {
    auto copy = files;
    for (auto& [name, data] : copy) {
      if (name.ends_with("/data.pkl")) data = replacement;
    }
    return testing::make_zip(copy);
  };
  ASSERT_EQ(read_error(with_pickle(pickle)), "") << "control: re-zipped with our writer";
  for (size_t size = 0; size < pickle.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_NE(read_error(with_pickle(pickle.substr(0, size))), "");
  }
  std::mt19937 rng(13);
  for (int i = 0; i < 3000; ++i) {
    std::string mutant = pickle;
    mutant[rng() % mutant.size()] = static_cast<char>(rng());
    expect_clean_outcome(with_pickle(mutant), cat("mutation ", i));
  }
}

TEST(CorruptLegacy, TruncationsTrailingBytesAndMutationsAreRejected) {
  std::string file = read_file(testing::io_data("views_legacy.pt"));
  ASSERT_EQ(read_error(file), "");
  for (size_t size = 0; size < file.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_NE(read_error(file.substr(0, size)), "");
  }
  expect_rejected(file + "x", {"1 unexpected bytes after the last storage"});
  std::mt19937 rng(14);
  for (int i = 0; i < 2000; ++i) {
    std::string mutant = file;
    mutant[15 + rng() % (mutant.size() - 15)] = static_cast<char>(rng());
    expect_clean_outcome(mutant, cat("mutation ", i));
  }
}

}  // namespace
}  // namespace greenbert
